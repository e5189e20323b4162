#!/bin/sh
# build.sh - configure and build out of tree in _build (or $BUILD_DIR).
#   scripts/build.sh [configure options...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null
dir=${BUILD_DIR:-$top/_build}
mkdir -p "$dir"
cd "$dir"
"$top/configure" -q "$@"
make -s -j"$(nproc)"
