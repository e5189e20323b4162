#!/usr/bin/env python3
"""gen-data.py - benchmark data for postkontor (bench/README.md)

Writes into OUTDIR:

  import.jsonl   DOMAINS domain lines, then ACCOUNTS accounts and ALIASES
                 aliases as JSON lines in the format of common/import.h.
                 Account i is user<i>@<prefix><i % DOMAINS>.example, so
                 consecutive lines go to different domains: the keys do
                 not arrive in database order, as in a real migration.
                 Each alias delivers to one or two random accounts.

With --keys N (the resolve benchmark) also:

  hits.keys      N addresses that exist, half accounts and half aliases,
                 in a shuffled order;
  misses.keys    N addresses that do not: half unknown local parts in
                 hosted domains, half addresses in unknown domains,
                 shuffled;
  postfix.txt    every account and alias with its destination, in
                 postmap(1) source format (account -> itself, alias ->
                 its destinations), for the Postfix lmdb: peer.

Every account shares one password hash (--hash): hashing is not what the
import benchmark measures. Output is a function of the arguments and
--seed only. Generation time is not measured.
"""

import argparse
import json
import os
import random
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, required=True)
    ap.add_argument("--aliases", type=int, required=True)
    ap.add_argument("--domains", type=int, default=1000)
    ap.add_argument("--prefix", default="d",
                    help="first label of every domain, so that a second "
                    "data set can go into the same database")
    ap.add_argument("--hash", required=True,
                    help="a {SCHEME}... hash every account shares")
    ap.add_argument("--keys", type=int, default=0,
                    help="write N hit keys, N miss keys and the Postfix map")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("outdir")
    args = ap.parse_args()

    if not args.hash.startswith("{") or "\n" in args.hash:
        sys.exit("gen-data.py: --hash must be a {SCHEME}... string")
    if args.accounts < 1 or args.domains < 1:
        sys.exit("gen-data.py: need at least one account and one domain")
    rng = random.Random(args.seed)
    ndom = args.domains

    def domain(i):
        return "%s%04d.example" % (args.prefix, i)

    def account(i):
        return "user%d@%s" % (i, domain(i % ndom))

    def alias(i):
        return "alias%d@%s" % (i, domain(i % ndom))

    alias_to = []
    for i in range(args.aliases):
        to = [account(rng.randrange(args.accounts))]
        if rng.random() < 0.5:
            second = account(rng.randrange(args.accounts))
            if second != to[0]:
                to.append(second)
        alias_to.append(to)

    pw = json.dumps(args.hash)
    with open(os.path.join(args.outdir, "import.jsonl"), "w") as f:
        for d in range(ndom):
            f.write('{"type":"domain","domain":"%s"}\n' % domain(d))
        for i in range(args.accounts):
            f.write('{"type":"account","address":"%s","password":%s}\n'
                    % (account(i), pw))
        for i, to in enumerate(alias_to):
            f.write('{"type":"alias","address":"%s","to":%s}\n'
                    % (alias(i), json.dumps(to, separators=(",", ":"))))

    if args.keys <= 0:
        return
    n = args.keys
    half = n // 2
    hits = [account(rng.randrange(args.accounts)) for _ in range(n - half)]
    if args.aliases > 0:
        hits += [alias(rng.randrange(args.aliases)) for _ in range(half)]
    else:
        hits += [account(rng.randrange(args.accounts)) for _ in range(half)]
    rng.shuffle(hits)
    misses = ["nobody%d@%s" % (i, domain(rng.randrange(ndom)))
              for i in range(n - half)]
    misses += ["user%d@unknown%04d.example" % (i, rng.randrange(ndom))
               for i in range(half)]
    rng.shuffle(misses)
    for name, keys in (("hits.keys", hits), ("misses.keys", misses)):
        with open(os.path.join(args.outdir, name), "w") as f:
            f.write("\n".join(keys))
            f.write("\n")
    with open(os.path.join(args.outdir, "postfix.txt"), "w") as f:
        for i in range(args.accounts):
            a = account(i)
            f.write("%s %s\n" % (a, a))
        for i, to in enumerate(alias_to):
            f.write("%s %s\n" % (alias(i), ",".join(to)))


if __name__ == "__main__":
    main()
