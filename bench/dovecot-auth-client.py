#!/usr/bin/env python3
"""dovecot-auth-client.py - drive Dovecot's auth sockets for bench/dovecot-auth.sh

  dovecot-auth-client.py passdb|userdb SOCKET NAMES-FILE COUNT WINDOW PASSWORD

passdb: AUTH PLAIN requests on the auth-client socket (a passdb lookup and
the password check); userdb: USER requests on the auth-userdb socket (a
userdb lookup). COUNT requests for names taken in order from NAMES-FILE
(one per line, wrapping around), at most WINDOW outstanding at a time
(1: one request at a time). Prints "<requests/s> <failures>". Every reply
must be OK / USER; anything else is counted as a failure.
"""

import base64
import os
import socket
import sys
import time


def connect(path, hello):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(hello)
    return s


def read_lines(sock, buf):
    data = sock.recv(1 << 16)
    if not data:
        sys.exit("dovecot-auth-client: connection closed")
    buf += data
    *lines, rest = buf.split(b"\n")
    return lines, rest


def main():
    kind, path, names_file, count, window, password = sys.argv[1:7]
    count, window = int(count), int(window)
    with open(names_file) as f:
        names = [l.strip() for l in f if l.strip()]
    if kind == "passdb":
        sock = connect(path, b"VERSION\t1\t2\nCPID\t%d\n" % os.getpid())
        done = b"DONE"

        def request(i, name):
            resp = base64.b64encode(b"\0" + name.encode() + b"\0" + password.encode())
            return b"AUTH\t%d\tPLAIN\tservice=imap\tsecured\tresp=%s\n" % (i, resp)
        ok = b"OK"
    else:
        sock = connect(path, b"VERSION\t1\t0\n")
        done = b"SPID"

        def request(i, name):
            return b"USER\t%d\t%s\tservice=imap\n" % (i, name.encode())
        ok = b"USER"
    buf = b""
    ready = False
    while not ready:
        lines, buf = read_lines(sock, buf)
        ready = any(l.split(b"\t")[0] == done for l in lines)
    sent = answered = failures = 0
    t0 = time.perf_counter()
    while answered < count:
        out = []
        while sent < count and sent - answered < window:
            sent += 1
            out.append(request(sent, names[sent % len(names)]))
        if out:
            sock.sendall(b"".join(out))
        lines, buf = read_lines(sock, buf)
        for line in lines:
            word = line.split(b"\t", 1)[0]
            if word in (b"OK", b"FAIL", b"USER", b"NOTFOUND", b"CONT"):
                answered += 1
                if word != ok:
                    failures += 1
    elapsed = time.perf_counter() - t0
    print("%.0f %d" % (count / elapsed, failures))


if __name__ == "__main__":
    main()
