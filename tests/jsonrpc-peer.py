#!/usr/bin/python3
"""Usage: jsonrpc-peer.py HOST:PORT SECONDS [--answer]

A JSON-RPC peer for inactivity probe tests: connects, sends one "echo"
request of its own, and for SECONDS reads what the server sends, answering
its "echo" requests with --answer.  Prints what happened, in order:
"reply to our echo", "echo request from the server", and at the end
"disconnected by the server" or "still connected"."""

import json
import socket
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
seconds = float(sys.argv[2])
answer = "--answer" in sys.argv[3:]

sock = socket.create_connection((host, int(port)))
sock.sendall(json.dumps({"id": "ours", "method": "echo",
                         "params": ["x"]}).encode())
decoder = json.JSONDecoder()
buf = ""
seen = []
end = time.time() + seconds
while True:
    left = end - time.time()
    if left <= 0:
        print("still connected")
        break
    sock.settimeout(left)
    try:
        data = sock.recv(65536)
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
