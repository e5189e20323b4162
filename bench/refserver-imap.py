#!/usr/bin/python3
# refserver-imap.py - time IMAP sessions of one Python imaplib client
#
# usage: refserver-imap.py --port PORT --user ADDR --password-file FILE
#                          [--count N] [--repeat R] [--min-size BYTES]
#
# One session is: connect to 127.0.0.1:PORT (plaintext), LOGIN, SELECT
# INBOX, FETCH 1:N (RFC822), LOGOUT. The INBOX must hold exactly N
# messages, and every FETCH must return N message texts of at least
# --min-size bytes each, or the run fails: a server that answers NO or
# sends empty bodies cannot look fast. R sessions run one after another;
# the output is one line "SECONDS BYTES LOGIN": the wall-clock time of
# all R sessions, the message bytes one session fetched, and the part of
# SECONDS spent waiting for the LOGIN replies (password verification). Exit status 1 on
# any protocol or content failure, 2 for a usage error.

import argparse
import imaplib
import sys
import time


def session(port, user, password, count, min_size):
    """One LOGIN + SELECT + FETCH session; returns (bytes, login seconds)."""
    m = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    try:
        t0 = time.perf_counter()
        typ, _ = m.login(user, password)
        login = time.perf_counter() - t0
        if typ != "OK":
            raise RuntimeError("LOGIN: " + typ)
        typ, data = m.select("INBOX")
        if typ != "OK":
            raise RuntimeError("SELECT: " + typ)
        exists = int(data[0])
        if exists != count:
            raise RuntimeError("INBOX holds %d messages, not %d" % (exists, count))
        typ, data = m.fetch("1:%d" % count, "(RFC822)")
        if typ != "OK":
            raise RuntimeError("FETCH: " + typ)
        bodies = [d[1] for d in data if isinstance(d, tuple)]
        if len(bodies) != count:
            raise RuntimeError("FETCH returned %d messages, not %d" % (len(bodies), count))
        short = [len(b) for b in bodies if len(b) < min_size]
        if short:
            raise RuntimeError("%d messages shorter than %d bytes" % (len(short), min_size))
        m.logout()
        return sum(len(b) for b in bodies), login
    finally:
        try:
            m.shutdown()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description="time IMAP LOGIN + SELECT + FETCH sessions")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--min-size", type=int, default=1)
    a = ap.parse_args()
    if a.count < 1 or a.repeat < 1:
        ap.error("--count and --repeat must be at least 1")
    with open(a.password_file, encoding="utf-8") as f:
        password = f.readline().rstrip("\n")
    try:
        t0 = time.perf_counter()
        size = 0
        login = 0.0
        for _ in range(a.repeat):
            size, t = session(a.port, a.user, password, a.count, a.min_size)
            login += t
        elapsed = time.perf_counter() - t0
    except (OSError, imaplib.IMAP4.error, RuntimeError, ValueError) as e:
        print("refserver-imap.py: port %d: %s" % (a.port, e), file=sys.stderr)
        return 1
    print("%.6f %d %.6f" % (elapsed, size, login))
    return 0


if __name__ == "__main__":
    sys.exit(main())
