#!/usr/bin/python3
"""Usage: idle-conns.py SOCKET N COMMAND...

Opens N connections to unix socket SOCKET that send nothing, runs COMMAND
while they are open, prints how many of them the server still holds open
afterwards and COMMAND's exit status, then closes them all."""

import resource
import socket
import subprocess
import sys

path, n, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 100), hard))

conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    conns.append(s)
status = subprocess.run(command).returncode

# A connection the server closed reads as EOF at once.
open_conns = 0
for s in conns:
    s.setblocking(False)
    try:
        s.recv(1)
    except BlockingIOError:
        open_conns += 1
print("%d of %d idle connections open, command exited %d"
      % (open_conns, n, status))
for s in conns:
    s.close()
