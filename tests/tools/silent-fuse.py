#!/usr/bin/env python3
"""tests/tools/silent-fuse.py MOUNTPOINT - a FUSE server that answers INIT and then reads every
request without ever answering it: callers that reach the mount wait for good (uninterruptibly
once their request was read), as they would on a hung file system. For tests of programs that
must not hang on such a mount. Prints "ready" once mounted; ends on SIGTERM (its connection is
then gone and the mount must be aborted/unmounted by the caller). Needs root."""
import os, signal, struct, subprocess, sys

mnt = sys.argv[1]
fd = os.open("/dev/fuse", os.O_RDWR)
opts = "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
subprocess.run(["mount", "-i", "-t", "fuse.silent", "-o", opts, "silent", mnt], check=True, pass_fds=[fd])
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
ready = False
while True:
    msg = os.read(fd, 1 << 20)
    length, opcode, unique = struct.unpack_from("<IIQ", msg)
    if opcode == 26:  # FUSE_INIT: answer with protocol 7.31, nothing more
        init_out = struct.pack("<IIIIHHIIHHII", 7, 31, 0, 0, 1, 1, 4096, 1, 1, 0, 0, 0) + bytes(24)
        os.write(fd, struct.pack("<IiQ", 16 + len(init_out), 0, unique) + init_out)
        if not ready:
            print("ready", flush=True)
            ready = True
    # every other request: read and never answered
