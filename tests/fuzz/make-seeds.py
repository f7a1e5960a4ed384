#!/usr/bin/env python3
"""tests/fuzz/make-seeds.py [DIR] - write fuzz-engine's seed corpus (default: tests/fuzz/corpus).

Each seed is one session in fuzz-engine's input format (see the comment at the top of
fuzz-engine.c): a configuration byte, a FUSE_INIT, then records. The seeds are well-formed
sessions that reach the engine's handlers (files, directories, xattrs, links, renames, I/O,
asynchronous completion with interrupts, io_uring entries, FORGET storms, DESTROY) plus a few
malformed ones; the fuzzer mutates from there. Run again after changing the format.
"""
import os
import struct
import sys

# FUSE opcodes (linux/fuse.h)
LOOKUP, FORGET, GETATTR, SETATTR, READLINK, SYMLINK = 1, 2, 3, 4, 5, 6
MKNOD, MKDIR, UNLINK, RMDIR, RENAME, LINK, OPEN, READ, WRITE, STATFS = 8, 9, 10, 11, 12, 13, 14, 15, 16, 17
RELEASE, FSYNC, SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR, FLUSH = 18, 20, 21, 22, 23, 24, 25
INIT, OPENDIR, READDIR, RELEASEDIR, FSYNCDIR, GETLK, SETLK, SETLKW = 26, 27, 28, 29, 30, 31, 32, 33
ACCESS, CREATE, INTERRUPT, BMAP, DESTROY, IOCTL, POLL, NOTIFY_REPLY = 34, 35, 36, 37, 38, 39, 40, 41
BATCH_FORGET, FALLOCATE, READDIRPLUS, RENAME2, LSEEK, COPY_FILE_RANGE, SETUPMAPPING = 42, 43, 44, 45, 46, 47, 48
SYNCFS, TMPFILE, STATX = 50, 51, 52

# record types (type % 7)
T_REQ, T_FORGETS, T_INTERRUPT, T_RING, T_WAIT = 0, 3, 4, 5, 6
# request flags
F_FH, F_BADLEN, F_DUP, F_OTHER, F_FILLER, F_CUT, F_RAWNODE, F_ASYNC = 1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80
# nodeid selectors: 0 -> 0, 1 -> the root, 2 + k -> the k-th nodeid seen in replies
ROOT = 1
ALL_FLAGS = 0xFFFFFFFFFFFFFFFF


def header(config, minor_sel=14, flags=ALL_FLAGS, config2=0):
    if config & 0x80:
        return bytes([config, config2])
    return bytes([config, config2, minor_sel]) + struct.pack('<Q', flags)


def rec(rtype, opsel=0, flags=0, nodesel=ROOT, fhsel=0, payload=b''):
    return bytes([rtype, opsel, flags, nodesel, fhsel]) + struct.pack('<H', len(payload)) + payload


def name(s):
    return s.encode() + b'\0'


def req(op, payload=b'', nodesel=ROOT, flags=0, fhsel=0):
    return rec(T_REQ, op, flags, nodesel, fhsel, payload)


# request payloads
def create_in(n, mode=0o100644, flags=os.O_RDWR):
    return struct.pack('<IIII', flags, mode, 0o022, 0) + name(n)


def mkdir_in(n, mode=0o755):
    return struct.pack('<II', mode, 0o022) + name(n)


def mknod_in(n, mode, rdev=0):
    return struct.pack('<IIII', mode, rdev, 0o022, 0) + name(n)


def open_in(flags=os.O_RDWR):
    return struct.pack('<II', flags, 0)


def read_in(offset, size, fh=0):
    return struct.pack('<QQIIQII', fh, offset, size, 0, 0, 0, 0)


def write_in(offset, data, fh=0):
    return struct.pack('<QQIIQII', fh, offset, len(data), 0, 0, 0, 0) + data


def release_in(fh=0):
    return struct.pack('<QIIQ', fh, os.O_RDWR, 0, 0)


def fsync_in(fh=0, datasync=0):
    return struct.pack('<QII', fh, datasync, 0)


def getattr_in(fh=0, with_fh=False):
    return struct.pack('<IIQ', 1 if with_fh else 0, 0, fh)


def setattr_in(valid, size=0, mode=0, uid=0, gid=0, atime=0, mtime=0, fh=0):
    return struct.pack('<IIQQQQQQIIIIIIII', valid, 0, fh, size, 0, atime, mtime, 0, 0, 0, 0,
                       mode, 0, uid, gid, 0)


FATTR_MODE, FATTR_UID, FATTR_GID, FATTR_SIZE, FATTR_ATIME, FATTR_MTIME, FATTR_FH = 1, 2, 4, 8, 16, 32, 64


def setxattr_in(n, value, flags=0):
    # FUSE_SETXATTR_EXT is negotiated with ALL_FLAGS: the longer argument
    return struct.pack('<IIII', len(value), flags, 0, 0) + name(n) + value


def getxattr_in(n, size):
    return struct.pack('<II', size, 0) + (name(n) if n is not None else b'')


def rename_in(newdir_nodeid, old, new):
    return struct.pack('<Q', newdir_nodeid) + name(old) + name(new)


def rename2_in(newdir_nodeid, old, new, flags=0):
    return struct.pack('<QII', newdir_nodeid, flags, 0) + name(old) + name(new)


def link_in(oldnodeid, new):
    return struct.pack('<Q', oldnodeid) + name(new)


def fallocate_in(offset, length, mode, fh=0):
    return struct.pack('<QQQII', fh, offset, length, mode, 0)


def ioctl_in(cmd, in_data, out_size, fh=0):
    return struct.pack('<QIIQII', fh, 0, cmd, 0, len(in_data), out_size) + in_data


def lseek_in(offset, whence, fh=0):
    return struct.pack('<QQII', fh, offset, whence, 0)


def ring(opcode, op_in, payload, nodesel=ROOT, flags=0, fhsel=0):
    """An io_uring entry: header area (in_out 128, op_in 128, ent_in_out 32) and the payload."""
    length = 40 + len(op_in) + len(payload)
    in_hdr = struct.pack('<IIQQIIIHH', length, opcode, 0, 0, 0, 0, 0, 0, 0).ljust(128, b'\0')
    ent = struct.pack('<QQIIQ', 0, 0, len(payload), 0, 0)
    return rec(T_RING, 0, flags, nodesel, fhsel, in_hdr + op_in.ljust(128, b'\0') + ent + payload)


SEEDS = {}

# Files: create, write, read, attributes, sync, release, unlink. nodesel 2: the file.
SEEDS['file-io'] = header(0x01) + b''.join([
    req(LOOKUP, name('f')),
    req(CREATE, create_in('f')),
    req(WRITE, write_in(0, b'hello, fuzzer' * 40), nodesel=2, flags=F_FH),
    req(READ, read_in(0, 4096), nodesel=2, flags=F_FH),
    req(READ, read_in(100000, 4096), nodesel=2, flags=F_FH),
    req(GETATTR, getattr_in(), nodesel=2),
    req(GETATTR, getattr_in(with_fh=True), nodesel=2, flags=F_FH),
    req(SETATTR, setattr_in(FATTR_SIZE, size=100), nodesel=2),
    req(SETATTR, setattr_in(FATTR_MODE, mode=0o600), nodesel=2),
    req(SETATTR, setattr_in(FATTR_ATIME | FATTR_MTIME, atime=1, mtime=2), nodesel=2),
    req(FSYNC, fsync_in(), nodesel=2, flags=F_FH),
    req(FLUSH, struct.pack('<QIIQ', 0, 0, 0, 0), nodesel=2, flags=F_FH),
    req(FALLOCATE, fallocate_in(0, 8192, 0), nodesel=2, flags=F_FH),
    req(FALLOCATE, fallocate_in(0, 65536, 1), nodesel=2, flags=F_FH),
    req(FALLOCATE, fallocate_in(10, 100, 3), nodesel=2, flags=F_FH),
    req(LSEEK, lseek_in(0, 3), nodesel=2, flags=F_FH),
    req(IOCTL, ioctl_in(0xC0404D52, b'abc'.ljust(64, b'\0'), 64), nodesel=2, flags=F_FH),
    req(STATFS),
    req(RELEASE, release_in(), nodesel=2, flags=F_FH),
    req(OPEN, open_in(os.O_RDONLY), nodesel=2),
    req(OPEN, open_in(os.O_RDWR | os.O_TRUNC), nodesel=2),
    req(UNLINK, name('f')),
    req(GETATTR, getattr_in(with_fh=True), nodesel=2, flags=F_FH, fhsel=1),
    req(READ, read_in(0, 100), nodesel=2, flags=F_FH, fhsel=2),
    req(RELEASE, release_in(), nodesel=2, flags=F_FH, fhsel=1),
    req(RELEASE, release_in(), nodesel=2, flags=F_FH, fhsel=2),
    req(SYNCFS, struct.pack('<Q', 0)),
])

# Directories: mkdir, listings (plain and plus), rmdir. nodesel 2: the directory.
SEEDS['dirs'] = header(0x05) + b''.join([
    req(MKDIR, mkdir_in('d')),
    req(CREATE, create_in('a'), nodesel=2),
    req(CREATE, create_in('b'), nodesel=2),
    req(MKDIR, mkdir_in('sub'), nodesel=2),
    req(OPENDIR, open_in(os.O_RDONLY), nodesel=2),
    req(READDIR, read_in(0, 4096), nodesel=2, flags=F_FH, fhsel=2),
    req(READDIR, read_in(3, 80), nodesel=2, flags=F_FH, fhsel=2),
    req(READDIRPLUS, read_in(0, 4096), nodesel=2, flags=F_FH, fhsel=2),
    req(READDIRPLUS, read_in(1, 200), nodesel=2, flags=F_FH, fhsel=2),
    req(FSYNCDIR, fsync_in(), nodesel=2, flags=F_FH, fhsel=2),
    req(RELEASEDIR, release_in(), nodesel=2, flags=F_FH, fhsel=2),
    req(RELEASE, release_in(), nodesel=3, flags=F_FH, fhsel=0),
    req(RELEASE, release_in(), nodesel=4, flags=F_FH, fhsel=1),
    req(RMDIR, name('d')),
    req(UNLINK, name('a'), nodesel=2),
    req(UNLINK, name('b'), nodesel=2),
    req(RMDIR, name('sub'), nodesel=2),
    req(RMDIR, name('d')),
])

# Extended attributes.
SEEDS['xattr'] = header(0x00) + b''.join([
    req(CREATE, create_in('x')),
    req(SETXATTR, setxattr_in('user.one', b'value one'), nodesel=2),
    req(SETXATTR, setxattr_in('user.two', b'v2', 1), nodesel=2),
    req(SETXATTR, setxattr_in('user.one', b'again', 2), nodesel=2),
    req(GETXATTR, getxattr_in('user.one', 0), nodesel=2),
    req(GETXATTR, getxattr_in('user.one', 100), nodesel=2),
    req(GETXATTR, getxattr_in('user.none', 100), nodesel=2),
    req(LISTXATTR, getxattr_in(None, 0), nodesel=2),
    req(LISTXATTR, getxattr_in(None, 4), nodesel=2),
    req(REMOVEXATTR, name('user.two'), nodesel=2),
    req(GETXATTR, getxattr_in('security.capability', 100), nodesel=2),
])

# Names: symlinks, hard links, renames, special files.
SEEDS['names'] = header(0x02) + b''.join([
    req(CREATE, create_in('t')),
    req(SYMLINK, name('s') + name('t')),
    req(READLINK, b'', nodesel=3),
    req(LINK, link_in(2, 'h')),
    req(RENAME, rename_in(1, 't', 'u')),
    req(RENAME2, rename2_in(1, 'u', 'h', 1)),
    req(RENAME2, rename2_in(1, 'u', 'v', 2)),
    req(MKNOD, mknod_in('fifo', 0o010644)),
    req(MKNOD, mknod_in('reg', 0o100644)),
    req(MKNOD, mknod_in('chr', 0o020644, 0x0501)),
    req(LOOKUP, name('..')),
    req(LOOKUP, name('a/b')),
    req(LOOKUP, name('x' * 300)),
    req(LOOKUP, b'\xff\xfe\0'),
    req(UNLINK, name('s')),
    req(UNLINK, name('h')),
    req(ACCESS, struct.pack('<II', 4, 0)),
])

# Lookups, then FORGET storms of what was looked up and of made-up nodeids.
SEEDS['forget'] = header(0x03) + b''.join(
    [req(CREATE, create_in('n%d' % i)) for i in range(8)] +
    [req(LOOKUP, name('n%d' % i)) for i in range(8)] + [
        rec(T_FORGETS, 3, 0, 2, 0),
        rec(T_FORGETS, 20, 1, 2, 1),
        rec(T_FORGETS, 2, 2, 200, 0),
        rec(T_FORGETS, 1, 1, 0, 0),
        req(LOOKUP, name('n1')),
        req(GETATTR, getattr_in(), nodesel=4),
    ])

# Asynchronous completion (slow I/O) and interrupts of pending, running and unknown requests.
SEEDS['interrupt'] = header(0x21 | 0x04) + b''.join([
    req(CREATE, create_in('p')),
    req(WRITE, write_in(0, b'p' * 8192), nodesel=2, flags=F_FH),
    req(READ, read_in(0, 8192), nodesel=2, flags=F_FH | F_ASYNC),
    rec(T_INTERRUPT, 0, 0, 0),
    req(READ, read_in(4096, 8192), nodesel=2, flags=F_FH | F_ASYNC),
    req(READ, read_in(0, 100), nodesel=2, flags=F_FH | F_ASYNC),
    rec(T_INTERRUPT, 0, 0, 1),
    rec(T_INTERRUPT, 0, 0, 0),
    req(OPENDIR, open_in(os.O_RDONLY)),
    req(READDIR, read_in(0, 4096), flags=F_FH | F_ASYNC, fhsel=1),
    rec(T_INTERRUPT, 0, 0, 0),
    rec(T_INTERRUPT, 0, 1, 0, 0, struct.pack('<Q', 123456789)),
    rec(T_INTERRUPT, 0, 2, 0),
    rec(T_WAIT),
    req(WRITE, write_in(0, b'q' * 100), nodesel=2, flags=F_FH | F_ASYNC),
    req(WRITE, write_in(100, b'r' * 100), nodesel=2, flags=F_FH | F_ASYNC),
    rec(T_INTERRUPT, 0, 0, 0),
    rec(T_INTERRUPT, 0, 0, 1),
    req(RELEASEDIR, release_in(), flags=F_FH, fhsel=1),
    req(RELEASE, release_in(), nodesel=2, flags=F_FH),
])

# Requests as they come out of io_uring entries.
SEEDS['ring'] = header(0x01) + b''.join([
    req(CREATE, create_in('r')),
    ring(LOOKUP, b'', name('r')),
    ring(WRITE, struct.pack('<QQIIQII', 1, 0, 900, 0, 0, 0, 0), b'ring data' * 100, nodesel=2, flags=F_FH),
    ring(READ, read_in(0, 4096), b'', nodesel=2, flags=F_FH),
    ring(READ, read_in(0, 4096), b'', nodesel=2, flags=F_FH | F_ASYNC),
    rec(T_INTERRUPT, 0, 0, 0),
    ring(RELEASE, release_in(), b'', nodesel=2, flags=F_FH),
    ring(GETATTR, getattr_in(), b'', nodesel=2),
    ring(MKDIR, mkdir_in('rd'), b''),
    ring(STATFS, b'', b''),
])

# Malformed: lengths that lie, cut headers, unknown opcodes, short payloads, a second INIT.
SEEDS['malformed'] = header(0x01) + b''.join([
    req(LOOKUP, name('nothing'), flags=F_BADLEN, fhsel=3),
    req(LOOKUP, name('nothing'), flags=F_BADLEN | 0, nodesel=3, fhsel=7),
    req(GETATTR, b'\1\2', flags=F_CUT),
    req(200, b'abc'),
    req(64, b''),
    req(65, b'x' * 10),
    req(READ, b'\0' * 8),
    req(WRITE, write_in(0, b'x' * 10)[:30]),
    req(SETXATTR, b'\0' * 4),
    req(INIT, struct.pack('<IIII', 7, 31, 0, 0)),
    req(INIT, struct.pack('<IIII', 8, 0, 0, 0)),
    req(INIT, struct.pack('<IIII', 6, 99, 0, 0)),
    req(RENAME, struct.pack('<Q', 1) + b'a'),
    req(BATCH_FORGET, struct.pack('<II', 1000, 0) + b'\1' * 16),
    req(FORGET, b'\1'),
    req(INTERRUPT, b'\2'),
    req(GETATTR, getattr_in(), flags=F_RAWNODE, nodesel=0, fhsel=0) + b'',
    req(GETATTR, struct.pack('<Q', 0xFFFFFFFFFFFFFFFF) + getattr_in(), flags=F_RAWNODE),
    req(READ, read_in(0, 0xFFFFFFFF, 0xDEADBEEF)),
    req(READ, read_in(0, 100), flags=F_FH | F_DUP),
])

# Before FUSE_INIT: everything is refused; then INIT arrives as a record.
SEEDS['before-init'] = header(0x80) + b''.join([
    req(LOOKUP, name('x')),
    req(FORGET, struct.pack('<Q', 1)),
    rec(T_INTERRUPT, 0, 1, 0, 0, struct.pack('<Q', 2)),
    req(INIT, struct.pack('<IIIIII', 7, 45, 0x20000, 0xFFFFFFFF, 0xFFFFFFFF, 0)),
    req(LOOKUP, name('x')),
])

# The biggest writes and reads (filler up to the largest message), other users, DESTROY.
SEEDS['big'] = header(0x0a) + b''.join([
    req(CREATE, create_in('big')),
    req(WRITE, struct.pack('<QQIIQII', 0, 0, 255 * 4096 + 2, 0, 0, 0, 0), nodesel=2,
        flags=F_FH | F_FILLER, fhsel=255),
    req(READ, read_in(0, 1 << 20), nodesel=2, flags=F_FH),
    req(READ, read_in(0, 1 << 21), nodesel=2, flags=F_FH),
    req(GETATTR, getattr_in(), nodesel=2, flags=F_OTHER),
    req(SETATTR, setattr_in(FATTR_MODE, mode=0o777), nodesel=2, flags=F_OTHER),
    req(CREATE, create_in('other'), flags=F_OTHER),
    req(DESTROY),
    req(LOOKUP, name('after-destroy')),
])

# Writeback cache and case-insensitive names.
SEEDS['writeback-ci'] = header(0x58) + b''.join([
    req(CREATE, create_in('Case')),
    req(LOOKUP, name('CASE')),
    req(LOOKUP, name('case')),
    req(WRITE, write_in(10, b'w' * 5000), nodesel=2, flags=F_FH),
    req(SETATTR, setattr_in(FATTR_SIZE | FATTR_FH, size=3), nodesel=2, flags=F_FH),
    req(SETATTR, setattr_in(FATTR_MTIME | FATTR_ATIME, mtime=5, atime=6), nodesel=2),
    req(RELEASE, release_in(), nodesel=2, flags=F_FH),
    req(RENAME, rename_in(1, 'case', 'CASE2')),
])


# Inputs that found defects (issue 8): kept so that they stay fixed.
# A file unlinked while open and never released when the session ends (memfs leaked it: defect 11).
SEEDS['open-unlinked-at-end'] = header(0x01, config2=1) + b''.join([
    req(CREATE, create_in('gone')),
    req(MKDIR, mkdir_in('gonedir')),
    req(OPENDIR, open_in(os.O_RDONLY), nodesel=3),
    req(UNLINK, name('gone')),
    req(RMDIR, name('gonedir')),
])
# RELEASE and RELEASEDIR while a read and a listing on the handle are still pending (the engine
# freed the handle under them: defect 10).
SEEDS['release-while-pending'] = header(0x21 | 0x04) + b''.join([
    req(CREATE, create_in('busy')),
    req(WRITE, write_in(0, b'b' * 4096), nodesel=2, flags=F_FH),
    req(OPENDIR, open_in(os.O_RDONLY)),
] + [req(READ, read_in(0, 4096), nodesel=2, flags=F_FH | F_ASYNC),
     req(READDIR, read_in(0, 4096), flags=F_FH | F_ASYNC, fhsel=1)] * 4 + [
    req(RELEASE, release_in(), nodesel=2, flags=F_FH | F_ASYNC, fhsel=0),
    req(RELEASEDIR, release_in(), flags=F_FH | F_ASYNC, fhsel=1),
    rec(T_WAIT),
])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus')
    os.makedirs(out, exist_ok=True)
    for n, data in SEEDS.items():
        with open(os.path.join(out, 'seed-' + n), 'wb') as f:
            f.write(data)
    print('%d seeds in %s' % (len(SEEDS), out))


if __name__ == '__main__':
    main()
