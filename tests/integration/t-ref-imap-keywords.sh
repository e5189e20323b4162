#!/bin/sh
# t-ref-imap-keywords - IMAP keywords (user-defined flags) and SENT* search
#
# STORE with keywords: PERMANENTFLAGS holds \* (none when EXAMINEd),
# FLAGS announces a new keyword, keywords compare without regard to
# case, they persist across sessions and are kept as Dovecot keeps
# them (a "dovecot-keywords" file per folder, lowercase letters in the
# Maildir info suffix), -FLAGS and FLAGS remove them, APPEND sets them,
# COPY carries them by name into another folder's letters, the 27th
# keyword of a folder is refused with NO [LIMIT], another session sees
# a new keyword at its next command. SEARCH KEYWORD and UNKEYWORD;
# SENTBEFORE, SENTON and SENTSINCE by the day in the Date: header (time
# and zone disregarded, two-digit years, no Date: matches nothing).

. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/reference/reflib.sh"
ref_setup
ref_start

d=$MAILROOT/example.test/alice/Maildir
ref_py - "$SMTP_PORT" <<'EOP' || fail "deliveries"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
for n, date in ((1, "Mon, 02 Mar 2026 10:00:00 +0100"),
                (2, "Tue, 10 Mar 2026 23:30:00 -0800"),  # 11 Mar in UTC
                (3, "15 Mar 26 08:00 +0000")):          # no weekday, 2-digit year
    s.sendmail("x@outside.invalid", ["alice@example.test"],
               "Date: %s\r\nSubject: number %d\r\n\r\nbody %d\r\n" % (date, n, n))
s.quit()
EOP

ref_py - "$IMAPS_PORT" "$ALICE_PW" >"$T/cases" 2>&1 <<'EOP'
import imaplib, ssl, sys
port, pw = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE

def report(name, ok, why=""):
    print(("ok   " + name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()

def session():
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=10)
    m.login("alice@example.test", pw)
    return m

def flags(m, n):
    typ, data = m.fetch(n, "(FLAGS)")
    return data[0].decode()

def search(m, *keys):
    typ, data = m.search(None, *keys)
    return data[0].decode() if typ == "OK" else typ

m = session()
m.select("INBOX")
perm = [r for r in m.untagged_responses.get("OK", []) if b"PERMANENTFLAGS" in r]
report("PERMANENTFLAGS includes \\*", perm and b" \\*)]" in perm[0], perm)
typ, data = m.store("1", "+FLAGS", "(Important $Label1)")
report("STORE +FLAGS with two new keywords",
       typ == "OK" and "Important" in data[0].decode() and "$Label1" in data[0].decode(), data)
fl = m.untagged_responses.get("FLAGS", [b""])[-1]
report("FLAGS announces the new keywords", b"Important" in fl and b"$Label1" in fl, fl)
typ, data = m.store("2", "+FLAGS", "(\\Seen important)")
report("a keyword is found without regard to case",
       typ == "OK" and "Important" in data[0].decode() and "\\Seen" in data[0].decode(), data)
m.logout()

m = session()
typ, data = m.select("INBOX")
fl = m.untagged_responses.get("FLAGS", [b""])[-1]
report("a new session's FLAGS lists the keywords", b"Important" in fl and b"$Label1" in fl, fl)
f1 = flags(m, "1")
report("keywords persist across sessions", "Important" in f1 and "$Label1" in f1, f1)
report("SEARCH KEYWORD", search(m, "KEYWORD", "Important") == "1 2")
report("SEARCH KEYWORD, another case", search(m, "KEYWORD", "IMPORTANT") == "1 2")
report("SEARCH KEYWORD of one message", search(m, "KEYWORD", "$Label1") == "1")
report("SEARCH UNKEYWORD", search(m, "UNKEYWORD", "Important") == "3")
report("SEARCH KEYWORD nobody uses matches nothing", search(m, "KEYWORD", "Nowhere") == "")
report("SEARCH UNKEYWORD nobody uses matches all", search(m, "UNKEYWORD", "Nowhere") == "1 2 3")
report("SEARCH with KEYWORD and a flag", search(m, "KEYWORD", "Important", "SEEN") == "2")
typ, data = m.store("1", "-FLAGS", "(Important)")
f1 = flags(m, "1")
report("STORE -FLAGS removes a keyword", "Important" not in f1 and "$Label1" in f1, f1)
typ, data = m.store("2", "FLAGS", "(\\Flagged)")
f2 = flags(m, "2")
report("STORE FLAGS replaces keywords too", "Important" not in f2 and "\\Flagged" in f2, f2)

report("SENTON (time and zone disregarded)", search(m, "SENTON", "10-Mar-2026") == "2")
report("SENTBEFORE", search(m, "SENTBEFORE", "10-Mar-2026") == "1")
report("SENTSINCE", search(m, "SENTSINCE", "10-Mar-2026") == "2 3")
report("SENTON a two-digit year", search(m, "SENTON", "15-Mar-2026") == "3")
report("BEFORE is the internal date, not Date:", search(m, "BEFORE", "10-Mar-2026") == "")
typ, data = m.append("INBOX", "(Work \\Seen)", None, b"Subject: no date\r\n\r\nhi\r\n")
report("APPEND with a keyword", typ == "OK", data)
m.noop()
f4 = flags(m, "4")
report("the appended message carries it", "Work" in f4 and "\\Seen" in f4, f4)
report("a message without Date: matches no SENT* key",
       search(m, "OR", "SENTSINCE", "1-Jan-1970", "SENTBEFORE", "1-Jan-1970") == "1 2 3")
try:
    m.search(None, "SENTON", "yesterday")
    report("a bad SENTON date is a BAD", False)
except imaplib.IMAP4.error:
    report("a bad SENTON date is a BAD", True)

m.create("Kept")
typ, data = m.copy("1,4", "Kept")
report("COPY of messages with keywords", typ == "OK", data)
m2 = session()
m2.select("Kept")
report("COPY carries keywords by name",
       "$Label1" in flags(m2, "1") and "Work" in flags(m2, "2"), flags(m2, "1:2"))
new = ["kw%02d" % i for i in range(24)]
typ, data = m2.store("1", "+FLAGS", "(%s)" % " ".join(new))
report("a folder takes 26 keywords", typ == "OK", data)
typ, data = m2.store("1", "+FLAGS", "(OneTooMany)")
report("the 27th is refused with NO [LIMIT]", typ == "NO" and b"[LIMIT]" in data[0], data)
report("and nothing of it is stored", "OneTooMany" not in flags(m2, "1"))
m2.logout()

# Another session sees a keyword it did not add.
m2 = session()
m2.select("INBOX")
m.store("3", "+FLAGS", "(Later)")
m2.noop()
fl = m2.untagged_responses.get("FLAGS", [b""])[-1]
report("another session is told about a new keyword", b"Later" in fl, fl)
report("and shows it on the message", "Later" in flags(m2, "3"), flags(m2, "3"))
m2.logout()
m.logout()

m = session()
m.select("INBOX", readonly=True)
perm = [r for r in m.untagged_responses.get("OK", []) if b"PERMANENTFLAGS" in r]
report("EXAMINE: no PERMANENTFLAGS, no \\*", perm == [b"[PERMANENTFLAGS ()] Flags permitted."], perm)
m.logout()
EOP
cat "$T/cases"
while read -r word rest; do
    PK_CHECKS=$((PK_CHECKS + 1))
    [ "$word" = ok ] || PK_FAILS=$((PK_FAILS + 1))
done <"$T/cases"
same "the client script ran every case" "$(grep -c '^ok\|^FAIL' "$T/cases")" 32

check "dovecot-keywords names the letters as Dovecot writes them" \
    sh -c "head -n 3 '$d/dovecot-keywords' | tr '\n' '|' | grep -qx '0 Important|1 \$Label1|2 Work|'"
check "keywords are lowercase letters in the file names" sh -c "ls '$d/cur' | grep -q ':2,b\$'"
check "the appended message's letters" sh -c "ls '$d/cur' | grep -q ':2,Sc\$'"
check "the folder has a keyword file of its own" \
    sh -c "head -n 2 '$d/.Kept/dovecot-keywords' | tr '\n' '|' | grep -qx '0 \$Label1|1 Work|'"
same "the folder's file holds 26 keywords" "$(wc -l <"$d/.Kept/dovecot-keywords")" 26
check "no lock file is left behind" sh -c "[ ! -e '$d/dovecot-keywords.lock' ] && [ ! -e '$d/.Kept/dovecot-keywords.lock' ]"
finish
