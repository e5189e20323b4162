#!/usr/bin/python3
# both-stacks.py - one mail-host scenario, run against either stack: the
# reference server (t-both-refserver.sh) or Debian's Postfix and Dovecot
# with the postkontor module, daemon and milter (t-both-postfix-dovecot.sh).
#
#   both-stacks.py --pk POSTKONTOR --db DIR --ca CERT --smtp P --submission P
#                  --smtps P --pop3 P --pop3s P --imap P --imaps P
#
# The accounts, aliases and states are made with the postkontor command
# against the stack's live database; mail is submitted with AUTH on the
# 587 role (STARTTLS) and the 465 role (implicit TLS) and sent to the 25
# role; it is read back over POP3 (STLS and implicit TLS) and IMAP
# (STARTTLS and implicit TLS). Each case prints "ok   NAME" or
# "FAIL NAME: why"; the expected results are the same for both stacks.
# Reply texts differ between the stacks, so only outcomes are compared:
# accepted or refused (and the reply class and stage), the mailboxes a
# message lands in, and whether a login works.
#
# Failed logins come from addresses of their own (127.0.0.2, ...): both
# stacks slow down an address that keeps failing, and a client whose
# address differs from the server's is not treated as local, so the
# plaintext-login rules apply to it as to any remote client.

import argparse
import email
import email.utils
import imaplib
import poplib
import smtplib
import socket
import ssl
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--pk", required=True)
ap.add_argument("--db", required=True)
ap.add_argument("--ca", required=True)
for role in ("smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps"):
    ap.add_argument("--" + role, type=int, required=True)
opt = ap.parse_args()

D, CATCH, ALIASDOM = "both.test", "catch.test", "both-alias.test"
PW = {u: "%s pass phrase 7" % u for u in ("ann", "ben", "cid", "sus")}
HOST = "127.0.0.1"
ctx = ssl.create_default_context(cafile=opt.ca)
ctx.check_hostname = False  # the stacks' certificates name localhost
results = []


def report(name, ok, why=""):
    results.append(ok)
    print(("ok   " + name) if ok else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()


def pk(*args, stdin=None):
    r = subprocess.run([opt.pk, "--db", opt.db] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit("postkontor %s: %s" % (" ".join(args), r.stderr.strip()))


_src = [1]


def fresh_source():
    """a loopback address not used before, for a login that will fail"""
    _src[0] += 1
    return "127.0.0.%d" % _src[0]


# --- clients that can choose their source address -------------------------

def _connect(client, timeout, tls_context=None):
    """The client's socket, from its chosen source address, wrapped in TLS
    when the protocol starts with it."""
    sock = socket.create_connection((client.host, client.port), timeout,
                                    (client.source, 0) if client.source else None)
    if tls_context is None:
        return sock
    return tls_context.wrap_socket(sock, server_hostname=client.host)


class IMAP(imaplib.IMAP4):
    def __init__(self, port, source=None):
        self.source = source
        super().__init__(HOST, port, timeout=30)

    def _create_socket(self, timeout):
        return _connect(self, timeout)


class IMAPS(imaplib.IMAP4_SSL):
    def __init__(self, port, source=None):
        self.source = source
        super().__init__(HOST, port, ssl_context=ctx, timeout=30)

    def _create_socket(self, timeout):
        return _connect(self, timeout, self.ssl_context)


class POP3(poplib.POP3):
    def __init__(self, port, source=None):
        self.source = source
        super().__init__(HOST, port, timeout=30)

    def _create_socket(self, timeout):
        return _connect(self, timeout)


class POP3S(poplib.POP3_SSL):
    def __init__(self, port, source=None):
        self.source = source
        super().__init__(HOST, port, context=ctx, timeout=30)

    def _create_socket(self, timeout):
        return _connect(self, timeout, self.context)


# --- reading mailboxes ---------------------------------------------------

def subjects_of(lines):
    msg = email.message_from_bytes(b"\r\n".join(lines) + b"\r\n\r\n")
    return msg["Subject"]


def read_imap(user, how):
    """the scenario's Subjects in user's INBOX over IMAP (how: 143 or 993)"""
    if how == 143:
        m = IMAP(opt.imap)
        m.starttls(ssl_context=ctx)
    else:
        m = IMAPS(opt.imaps)
    m.login("%s@%s" % (user, D), PW[user])
    m.select("INBOX", readonly=True)
    found = set()
    nums = m.search(None, "ALL")[1][0].split()
    for num in nums:
        data = m.fetch(num, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1][0][1]
        s = email.message_from_bytes(data)["Subject"] or ""
        if s.startswith("both-"):
            found.add(s)
    m.logout()
    return found


def read_pop3(user, how):
    """the scenario's Subjects in user's maildrop over POP3 (110 or 995)"""
    if how == 110:
        p = POP3(opt.pop3)
        p.stls(context=ctx)
    else:
        p = POP3S(opt.pop3s)
    p.user("%s@%s" % (user, D))
    p.pass_(PW[user])
    found = set()
    for i in range(1, p.stat()[0] + 1):
        s = subjects_of(p.top(i, 0)[1]) or ""
        if s.startswith("both-"):
            found.add(s)
    p.quit()
    return found


READERS = {"ann": (read_imap, 143), "ben": (read_pop3, 110),
           "cid": (read_pop3, 995), "sus": (read_imap, 993)}


def mailbox(user):
    f, how = READERS[user]
    return f(user, how)


# --- sending ---------------------------------------------------------------

_n = [0]


def send(role, login, sender, rcpts, header_from=None):
    """(outcome, subject): outcome is "accepted", or "<stage> <class>xx"
    for the first refusal (stage AUTH, MAIL, RCPT or DATA)"""
    _n[0] += 1
    subject = "both-%d" % _n[0]
    if role == "smtps":
        s = smtplib.SMTP_SSL(HOST, opt.smtps, timeout=60, context=ctx)
    else:
        s = smtplib.SMTP(HOST, opt.submission if role == "submission" else opt.smtp,
                         timeout=60)
    try:
        s.ehlo("client.invalid")
        if role == "submission":
            s.starttls(context=ctx)
            s.ehlo("client.invalid")
        if login:
            try:
                s.login("%s@%s" % (login, D), PW[login])
            except smtplib.SMTPAuthenticationError as e:
                return "AUTH %dxx" % (e.smtp_code // 100), subject
        code, _ = s.mail(sender)
        if code != 250:
            return "MAIL %dxx" % (code // 100), subject
        for r in rcpts:
            code, _ = s.rcpt(r)
            if code not in (250, 251):
                return "RCPT %dxx" % (code // 100), subject
        body = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s.%f@client.invalid>\r\n"
                "Date: %s\r\n\r\nThe both-stacks scenario.\r\n"
                % (header_from or sender, ", ".join(rcpts), subject, subject, time.time(),
                   email.utils.formatdate()))
        code, _ = s.data(body.encode())
        return ("accepted" if code == 250 else "DATA %dxx" % (code // 100)), subject
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            pass


def case_send(name, want, role, login, sender, rcpts, header_from=None,
              lands=()):
    outcome, subject = send(role, login, sender, rcpts, header_from)
    report(name, outcome == want, "outcome %s, expected %s" % (outcome, want))
    for u in lands:
        expected.setdefault(u, set()).add(subject)


def login_outcome(proto, user, password, source):
    """"ok" or "refused": a login over IMAPS or POP3S"""
    try:
        if proto == "imap":
            m = IMAPS(opt.imaps, source)
            try:
                m.login(user, password)
            except imaplib.IMAP4.error:
                return "refused"
            m.logout()
        else:
            p = POP3S(opt.pop3s, source)
            try:
                p.user(user)
                p.pass_(password)
            except poplib.error_proto:
                return "refused"
            p.quit()
    except (OSError, EOFError) as e:
        return "error: %s" % e
    return "ok"


# --- the accounts, made with the postkontor command ------------------------

pk("domain", "add", D)
pk("domain", "add", CATCH)
for u in PW:
    pk("account", "add", "%s@%s" % (u, D), "--password-stdin", stdin=PW[u] + "\n")
pk("alias", "add", "team@" + D, "ann@" + D, "ben@" + D)
pk("alias", "add", "all@" + D, "team@" + D, "cid@" + D)  # nested
pk("alias", "add", "@" + CATCH, "cid@" + D)  # catch-all
pk("domain", "alias", ALIASDOM, D)  # alias domain
pk("account", "suspend", "sus@" + D)
expected = {}

# --- submission, aliases, delivery -----------------------------------------

case_send("587 STARTTLS+AUTH: to an alias of two accounts", "accepted",
          "submission", "ann", "ann@" + D, ["team@" + D], lands=("ann", "ben"))
case_send("465 TLS+AUTH: to a nested alias", "accepted",
          "smtps", "ben", "ben@" + D, ["all@" + D], lands=("ann", "ben", "cid"))
case_send("587: to a catch-all domain", "accepted",
          "submission", "ann", "ann@" + D, ["whoever@" + CATCH], lands=("cid",))
case_send("465: to an alias domain", "accepted",
          "smtps", "ben", "ben@" + D, ["ann@" + ALIASDOM], lands=("ann",))
case_send("587: to a subaddress", "accepted",
          "submission", "ann", "ann@" + D, ["ben+lists@" + D], lands=("ben",))
case_send("25: to an alias through an alias domain, upper case", "accepted",
          "smtp", None, "someone@example.org", ["Team@BOTH-ALIAS.test"],
          lands=("ann", "ben"))
case_send("25: to a suspended account (mail is still received)", "accepted",
          "smtp", None, "someone@example.org", ["sus@" + D], lands=("sus",))
case_send("587: sending as an own alias is allowed", "accepted",
          "submission", "ann", "team@" + D, ["cid@" + D], lands=("cid",))
case_send("465: own address, an alias and a subaddress in one message", "accepted",
          "smtps", "cid", "cid@" + D, ["ann@" + D, "team@" + D, "cid+self@" + D],
          lands=("ann", "ben", "cid"))

# --- refusals ----------------------------------------------------------------

case_send("25: unknown recipient refused at RCPT", "RCPT 5xx",
          "smtp", None, "someone@example.org", ["nobody@" + D])
case_send("587: unknown recipient refused at RCPT", "RCPT 5xx",
          "submission", "ann", "ann@" + D, ["nobody@" + D])
outcome, _ = send("submission", "ann", "ben@" + D, ["cid@" + D])
report("587: spoofed envelope sender refused before DATA",
       outcome in ("MAIL 5xx", "RCPT 5xx"), "outcome " + outcome)
outcome, _ = send("smtps", "ben", "cid@" + D, ["ann@" + D])
report("465: spoofed envelope sender refused before DATA",
       outcome in ("MAIL 5xx", "RCPT 5xx"), "outcome " + outcome)
case_send("587: spoofed header From refused at DATA", "DATA 5xx",
          "submission", "ann", "ann@" + D, ["cid@" + D], header_from="ben@" + D)
# A suspended account cannot even log in to SMTP: the reference server
# refuses its AUTH, and so does Dovecot's auth service for Postfix (the
# module fails a login it cannot mark "nologin" for).
case_send("465: a suspended account cannot log in to send", "AUTH 5xx",
          "smtps", "sus", "sus@" + D, ["ann@" + D])
case_send("25: mail for another domain is not relayed", "RCPT 5xx",
          "smtp", None, "someone@example.org", ["someone@elsewhere.invalid"])

report("IMAPS: a suspended account cannot log in",
       login_outcome("imap", "sus@" + D, PW["sus"], fresh_source()) == "refused")
report("POP3S: a suspended account cannot log in",
       login_outcome("pop3", "sus@" + D, PW["sus"], fresh_source()) == "refused")
report("IMAPS: a wrong password is refused",
       login_outcome("imap", "ann@" + D, "not the password", fresh_source()) == "refused")
report("POP3S: an unknown user is refused",
       login_outcome("pop3", "nobody@" + D, PW["ann"], fresh_source()) == "refused")

# --- no login before TLS ---------------------------------------------------------

m = IMAP(opt.imap, fresh_source())
caps = m.capabilities
try:
    m.login("ann@" + D, PW["ann"])
    plain_login = "ok"
except imaplib.IMAP4.error:
    plain_login = "refused"
m.shutdown()
report("143: LOGINDISABLED before STARTTLS", "LOGINDISABLED" in caps, str(caps))
report("143: LOGIN before STARTTLS refused", plain_login == "refused")
p = POP3(opt.pop3, fresh_source())
try:
    p.user("ann@" + D)
    p.pass_(PW["ann"])
    plain_login = "ok"
except poplib.error_proto:
    plain_login = "refused"
p.close()
report("110: USER/PASS before STLS refused", plain_login == "refused")
s = smtplib.SMTP(HOST, opt.submission, timeout=30, source_address=(fresh_source(), 0))
s.ehlo("client.invalid")
offered = s.has_extn("auth")
code, _ = s.mail("ann@" + D)
s.close()
report("587: no AUTH offered before STARTTLS", not offered)
report("587: MAIL before STARTTLS refused 5xx", code // 100 == 5, "code %d" % code)

# --- read back: where mail landed ----------------------------------------------

pk("account", "resume", "sus@" + D)
report("IMAPS: the resumed account logs in",
       login_outcome("imap", "sus@" + D, PW["sus"], None) == "ok")
got = {}
deadline = time.time() + 60
while True:
    got = {u: mailbox(u) for u in READERS}
    if all(expected.get(u, set()) <= got[u] for u in READERS) or time.time() > deadline:
        break
    time.sleep(0.5)
time.sleep(1.5)  # a message in a wrong mailbox would have arrived by now
got = {u: mailbox(u) for u in READERS}
for u in READERS:
    f, how = READERS[u]
    want = expected.get(u, set())
    report("%s's mailbox over %s %d holds exactly %s" %
           (u, "IMAP" if f is read_imap else "POP3", how, ",".join(sorted(want))),
           got[u] == want, "holds %s" % ",".join(sorted(got[u])))
# The other two read paths for the same mailboxes.
report("ann's mailbox over IMAPS 993 too", read_imap("ann", 993) == expected["ann"])
report("ben's mailbox over POP3S 995 too", read_pop3("ben", 995) == expected["ben"])

print("%d cases, %d failed" % (len(results), results.count(False)))
sys.exit(0 if all(results) else 1)
