#!/usr/bin/python3
"""lmtp-sink.py - an LMTP server on a unix socket that keeps every message.

Usage: lmtp-sink.py SOCKET DIR

Each message Postfix delivers is written, dot-unstuffed and exactly as
received, to DIR/N.eml (N counts from 1), so a test can verify what left
Postfix. Advertises 8BITMIME and SMTPUTF8 so that Postfix never converts
a body. Nothing is sent anywhere.
"""

import os
import socketserver
import sys
import threading

path, outdir = sys.argv[1], sys.argv[2]
lock = threading.Lock()
count = [0]


class LMTP(socketserver.StreamRequestHandler):
    def say(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.say("220 sink LMTP")
        rcpts = 0
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            verb = line.decode("utf-8", "replace").strip().split(" ", 1)[0].upper()
            if verb == "LHLO":
                for ext in ("250-sink", "250-8BITMIME", "250-SMTPUTF8", "250 PIPELINING"):
                    self.say(ext)
            elif verb in ("MAIL", "RSET"):
                rcpts = 0
                self.say("250 ok")
            elif verb == "RCPT":
                rcpts += 1
                self.say("250 ok")
            elif verb == "DATA":
                self.say("354 go")
                data = []
                while True:
                    l = self.rfile.readline(1 << 20)
                    if not l or l == b".\r\n":
                        break
                    data.append(l[1:] if l.startswith(b".") else l)
                with lock:
                    count[0] += 1
                    name = os.path.join(outdir, "%d.eml" % count[0])
                    with open(name + ".tmp", "wb") as fp:
                        fp.write(b"".join(data))
                    os.rename(name + ".tmp", name)
                for _ in range(rcpts):
                    self.say("250 2.0.0 kept")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(path):
    os.unlink(path)
server = Server(path, LMTP)
os.chmod(path, 0o666)
server.serve_forever()
