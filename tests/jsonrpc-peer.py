#!/usr/bin/python3
"""Usage: jsonrpc-peer.py HOST:PORT SECONDS [--answer] [--tls-ca=FILE]

A JSON-RPC peer for inactivity probe tests: connects, sends one "echo"
request of its own, and for SECONDS reads what the server sends, answering
its "echo" requests with --answer.  Prints what happened, in order:
"reply to our echo", "echo request from the server", and at the end
"disconnected by the server" or "still connected".

With --tls-ca, it talks TLS, trusting the server's certificate if FILE's
CA signed it, but has no certificate of its own to show: a server that
requires one refuses it ("refused: REASON")."""

import json
import socket
import ssl
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
seconds = float(sys.argv[2])
answer = "--answer" in sys.argv[3:]
tls_ca = [a[9:] for a in sys.argv[3:] if a.startswith("--tls-ca=")]

sock = socket.create_connection((host, int(port)))
try:
    if tls_ca:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(tls_ca[0])
        sock = ctx.wrap_socket(sock)
    sock.sendall(json.dumps({"id": "ours", "method": "echo",
                             "params": ["x"]}).encode())
    sock.settimeout(seconds)
    first = sock.recv(65536)
except (ssl.SSLError, OSError) as e:
    print("refused:", getattr(e, "reason", None) or e)
    sys.exit(0)
decoder = json.JSONDecoder()
buf = ""
seen = []
pending = [first]
end = time.time() + seconds
while True:
    left = end - time.time()
    if left <= 0:
        print("still connected")
        break
    sock.settimeout(left)
    try:
        data = pending.pop() if pending else sock.recv(65536)
    except socket.timeout:
        continue
    if not data:
        print("disconnected by the server")
        break
    buf += data.decode()
    while buf.strip():
        try:
            msg, used = decoder.raw_decode(buf.lstrip())
        except ValueError:
            break
        buf = buf.lstrip()[used:]
        if msg.get("id") == "ours" and msg.get("result") == ["x"]:
            what = "reply to our echo"
        elif msg.get("method") == "echo":
            what = "echo request from the server"
            if answer:
                sock.sendall(json.dumps({"id": msg["id"], "result": [],
                                         "error": None}).encode())
        else:
            what = "unexpected: " + json.dumps(msg)
        if what not in seen:
            seen.append(what)
            print(what)
        sys.stdout.flush()
