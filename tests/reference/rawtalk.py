"""rawtalk.py - send exact bytes to a server and print every reply.

Usage: rawtalk.py [--tls] [--source ADDR] [--starttls-after N] PORT CHUNK...

Each CHUNK is sent as it is (Python escapes such as \\r\\n and \\x00 are
decoded), then the replies are read: up to 10 s for the first byte, then until the
server is quiet for a moment (--wait SECONDS, default 0.4). With --starttls-after N, a TLS handshake is made after chunk N
(the client speaks TLS from then on): the STARTTLS injection tests use it.
Prints the replies on stdout; never waits more than a few seconds.
"""
import socket
import ssl
import sys
import time


def read_quiet(sock, wait, first=10.0):
    """Read the reply: wait up to first seconds for it to begin, then
    until nothing more arrives within wait seconds."""
    out = b""
    sock.settimeout(first)
    end = time.time() + 20
    while time.time() < end:
        try:
            data = sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            break
        except (ConnectionResetError, ssl.SSLError, OSError):
            break
        if not data:
            break
        out += data
        sock.settimeout(wait)
    return out


def main():
    args = sys.argv[1:]
    tls = False
    source = None
    starttls_after = None
    wait = 0.4
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--tls":
            tls = True
        elif opt == "--source":
            source = args.pop(0)
        elif opt == "--starttls-after":
            starttls_after = int(args.pop(0))
        elif opt == "--wait":
            wait = float(args.pop(0))
    port = int(args.pop(0))
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                    source_address=(source, 0) if source else None)
    if tls:
        sock = ctx.wrap_socket(sock)
    out = read_quiet(sock, wait)
    for n, chunk in enumerate(args, 1):
        data = chunk.encode("latin-1").decode("unicode_escape").encode("latin-1")
        try:
            sock.sendall(data)
        except OSError:
            break
        out += read_quiet(sock, wait)
        if starttls_after == n:
            sock = ctx.wrap_socket(sock)
            out += b"[TLS]\r\n" + read_quiet(sock, wait)
    sys.stdout.write(out.decode("latin-1"))


main()
