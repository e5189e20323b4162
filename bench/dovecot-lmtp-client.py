#!/usr/bin/env python3
"""dovecot-lmtp-client.py - deliver mail over LMTP for bench/dovecot-lmtp.sh

  dovecot-lmtp-client.py SOCKET NAMES-FILE COUNT PER-SESSION SEED COUNTS-FILE

Delivers COUNT messages over Dovecot's LMTP unix socket SOCKET with
smtplib.LMTP, PER-SESSION messages per connection (LHLO once, then MAIL,
RCPT, DATA for each). Each message goes to one recipient picked at random
(random.Random(SEED)) from NAMES-FILE (one address per line). Messages are
small (about 2 KB) and all alike but for their headers. Prints
"<messages/s> <failures>", where a failure is any recipient Dovecot did
not accept; writes "ADDRESS COUNT" lines to COUNTS-FILE, the messages
delivered to each recipient, so the caller can check what was recorded.
"""

import random
import smtplib
import sys
import time

BODY = ("The quick brown fox jumps over the lazy dog, again and again.\r\n" * 32)


def message(i, rcpt):
    return ("From: bench@example.org\r\n"
            "To: %s\r\n"
            "Subject: bench %d\r\n"
            "Message-ID: <bench-%d@example.org>\r\n"
            "\r\n%s" % (rcpt, i, i, BODY)).encode()


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    path, names_file, count, per_session, seed, counts_file = sys.argv[1:7]
    count, per_session = int(count), int(per_session)
    if count < 1 or per_session < 1:
        sys.exit("dovecot-lmtp-client: COUNT and PER-SESSION must be >= 1")
    with open(names_file) as f:
        names = [l.strip() for l in f if l.strip()]
    if not names:
        sys.exit("dovecot-lmtp-client: no addresses in " + names_file)
    rng = random.Random(int(seed))
    rcpts = [rng.choice(names) for _ in range(count)]
    msgs = [message(i, r) for i, r in enumerate(rcpts)]
    delivered = {}
    failures = 0
    t0 = time.perf_counter()
    i = 0
    while i < count:
        conn = smtplib.LMTP(path, timeout=60)
        try:
            for _ in range(min(per_session, count - i)):
                refused = conn.sendmail("bench@example.org", [rcpts[i]], msgs[i])
                if refused:
                    failures += 1
                else:
                    delivered[rcpts[i]] = delivered.get(rcpts[i], 0) + 1
                i += 1
        except smtplib.SMTPException as e:
            sys.stderr.write("dovecot-lmtp-client: %s\n" % e)
            failures += 1
            i += 1
        finally:
            try:
                conn.quit()
            except smtplib.SMTPException:
                pass
    elapsed = time.perf_counter() - t0
    with open(counts_file, "w") as f:
        for name in sorted(delivered):
            f.write("%s %d\n" % (name, delivered[name]))
    print("%.1f %d" % (count / elapsed, failures))


if __name__ == "__main__":
    main()
