#!/usr/bin/python3
"""Usage: manager-peer.py PORTFILE SECONDS [KEY CERT CA]

A manager that waits for the switch to connect ("set-manager tcp:..."):
listens on 127.0.0.1 (port written to PORTFILE), and on the first
connection asks "list_dbs" and prints the result, then hangs up.  It
waits for the switch to connect again, prints "reconnected", holds that
connection for SECONDS and exits.  With KEY, CERT and CA it speaks TLS
("set-manager ssl:..."), and the switch must show a certificate that CA
signed."""

import json
import os
import socket
import ssl
import sys

portfile, seconds = sys.argv[1], float(sys.argv[2])
tls = None
if len(sys.argv) > 3:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[4], sys.argv[3])
    tls.load_verify_locations(sys.argv[5])
    tls.verify_mode = ssl.CERT_REQUIRED


def accept(listener):
    conn, _ = listener.accept()
    return tls.wrap_socket(conn, server_side=True) if tls else conn


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
listener.settimeout(20)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % listener.getsockname()[1])
os.rename(portfile + ".tmp", portfile)

conn = accept(listener)
conn.settimeout(10)
conn.sendall(json.dumps({"id": 1, "method": "list_dbs",
                         "params": []}).encode())
decoder = json.JSONDecoder()
buf = ""
while True:
    data = conn.recv(65536)
    if not data:
        print("disconnected before the reply")
        sys.exit(1)
    buf += data.decode()
    try:
        msg, _ = decoder.raw_decode(buf)
    except ValueError:
        continue
    print(json.dumps(msg.get("result")))
    sys.stdout.flush()
    break
conn.close()

conn = accept(listener)
print("reconnected")
sys.stdout.flush()
conn.settimeout(seconds)
try:
    while conn.recv(65536):
        pass
except socket.timeout:
    pass
conn.close()
