#!/usr/bin/python3
"""dkim-verify.py - verify DKIM signatures with python3-dkim (dkimpy).

Usage: dkim-verify.py KEYS.json MESSAGE...

KEYS.json is the output of "postkontor --json dkim show": the DNS names
and TXT records of the keys, served to the verifier instead of DNS.
Prints "ok FILE" or "FAIL FILE: why" per message; exits 1 if any failed.
An independent verifier, so the milter is not checked against itself.
"""

import json
import sys

import dkim


def main():
    with open(sys.argv[1], encoding="utf-8") as fp:
        keys = json.load(fp)
    dns = {(k["dns_name"] + ".").encode(): k["txt"].encode() for k in keys}

    def dnsfunc(name, timeout=5):
        return dns.get(name)

    failed = 0
    for path in sys.argv[2:]:
        with open(path, "rb") as fp:
            msg = fp.read()
        try:
            ok = dkim.verify(msg, dnsfunc=dnsfunc)
            why = "signature does not verify"
        except Exception as exc:  # dkimpy raises on malformed input
            ok, why = False, str(exc)
        if ok:
            print("ok   dkim verifies: " + path.rsplit("/", 1)[-1])
        else:
            print("FAIL dkim: %s: %s" % (path, why))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
