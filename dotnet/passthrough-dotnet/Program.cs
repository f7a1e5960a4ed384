/*
 * dotnet/passthrough-dotnet/Program.cs - a directory of the Linux file system served through
 * LinFsp's .NET layer: `mono passthrough-dotnet.exe -p SOURCE -m MOUNTPOINT`.
 *
 * WinFsp's passthrough-dotnet mirrors a directory with System.IO and Win32 calls; on Linux the
 * port uses POSIX calls: Mono.Unix.Native for those on descriptors, and libc directly for those
 * on names, which are resolved under the source directory with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) so that no name can lead outside it, nor through a symlink in it. An open
 * file is looked at with O_PATH and then reopened for I/O through its /proc/self/fd magic link
 * (the same inode, never the name again: a FIFO renamed over the name meanwhile cannot block a
 * worker); so are the calls Linux has no descriptor form of for O_PATH descriptors. Owner, group
 * and mode are shown as security descriptors through LinFsp's POSIX mapping; symlinks and special
 * files are reparse points, xattrs are EAs (trusted.* listed to root only, as local file systems
 * list them to CAP_SYS_ADMIN only). Thread-safe without Synchronized: every call works on its own
 * descriptors.
 */
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Text;
using Fsp;
using Mono.Unix.Native;
using VolumeInfo = Fsp.Interop.VolumeInfo;
using FileInfo = Fsp.Interop.FileInfo;

namespace Passthrough
{
    class FileDesc
    {
        internal int Fd = -1;          /* an open file or directory; O_PATH for symlinks and special files */
        internal Boolean IsPath;       /* Fd is an O_PATH descriptor */
        internal List<String> Names;
        internal List<Byte[]> Raw;         /* their POSIX bytes */
    }

    static unsafe class Libc
    {
        internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80,
            O_NOFOLLOW = 0x20000, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, O_PATH = 0x200000,
            O_NOATIME = 0x40000;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
        internal const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
        internal const int EAGAIN = 11;
        internal const uint RENAME_NOREPLACE = 1;

        [StructLayout(LayoutKind.Sequential)]
        internal struct OpenHow
        {
            internal UInt64 flags, mode, resolve;
        }

        [DllImport("libc", SetLastError = true)] internal static extern long syscall(long number, int dirfd, byte *path, OpenHow *how, UIntPtr size);
        [DllImport("libc", SetLastError = true)] internal static extern int mkdirat(int dirfd, byte *path, uint mode);
        [DllImport("libc", SetLastError = true)] internal static extern int unlinkat(int dirfd, byte *path, int flags);
        [DllImport("libc", SetLastError = true)] internal static extern int renameat2(int olddirfd, byte *oldpath, int newdirfd, byte *newpath, uint flags);
        [DllImport("libc", SetLastError = true)] internal static extern int linkat(int olddirfd, byte *oldpath, int newdirfd, byte *newpath, int flags);
        [DllImport("libc", SetLastError = true)] internal static extern int symlinkat(byte *target, int newdirfd, byte *linkpath);
        [DllImport("libc", SetLastError = true)] internal static extern long readlinkat(int dirfd, byte *path, byte *buf, UIntPtr size);
        [DllImport("libc", SetLastError = true)] internal static extern int mknodat(int dirfd, byte *path, uint mode, ulong dev);
        [DllImport("libc", SetLastError = true)] internal static extern int fchownat(int dirfd, byte *path, uint owner, uint group, int flags);
        [DllImport("libc", SetLastError = true)] internal static extern int fchmodat(int dirfd, byte *path, uint mode, int flags);
        [DllImport("libc", SetLastError = true)] internal static extern int syncfs(int fd);
        [DllImport("libc", SetLastError = true)] internal static extern long getdents64(int fd, byte *buf, UIntPtr count);
        [DllImport("libc", SetLastError = true)] internal static extern int fallocate(int fd, int mode, long offset, long len);
        [DllImport("libc", SetLastError = true)] internal static extern IntPtr realpath(String path, IntPtr resolved);
        [DllImport("libc")] internal static extern void free(IntPtr p);
        [DllImport("libc", SetLastError = true)] internal static extern int fchown(int fd, uint owner, uint group);

        internal static int Errno()
        {
            return Marshal.GetLastWin32Error();
        }
    }

    class Ptfs : FileSystemBase
    {
        private readonly String Source;
        private int SourceFd = -1;
        private readonly UInt32 Timeout;
        private readonly String PrefixName;

        public Ptfs(String Source, UInt32 FileInfoTimeout, String Prefix)
        {
            this.Source = Source;
            this.Timeout = FileInfoTimeout;
            this.PrefixName = Prefix;
        }

        private static Int32 Status(int errno)
        {
            return NtStatusFromErrno(errno);
        }
        private static Int32 LastStatus()
        {
            return NtStatusFromErrno(Libc.Errno());
        }

        /* "\a\b" -> "a/b" as the POSIX bytes LinFsp's path mapping gives (NUL-terminated); "." for the root. */
        private static Byte[] Rel(String FileName)
        {
            if ("\\" == FileName)
                return new Byte[] { (byte)'.', 0 };
            CheckName(FileName);
            return PosixPath(FileName.Substring(1));
        }
        /* A full name as the engine makes them: "\" and components that are not empty, "." or ".."
         * (the kernel never sends those; refused, so that no name can climb or mean another). */
        private static void CheckName(String FileName)
        {
            if (null == FileName || 2 > FileName.Length || '\\' != FileName[0])
                throw new ArgumentException("invalid name");
            foreach (String c in FileName.Substring(1).Split('\\'))
                if (0 == c.Length || "." == c || ".." == c)
                    throw new ArgumentException("invalid name");
        }
        /* LinFsp's mapping ('\' to '/', U+F0xx back to the characters they stand for, U+DC80..U+DCFF
         * back to the bytes that were not UTF-8), NUL-terminated. */
        private static Byte[] PosixPath(String WindowsPath)
        {
            Byte[] b = PosixMapWindowsToPosixPath(WindowsPath);
            if (null == b)
                throw new ArgumentException("unmappable name");
            Array.Resize(ref b, b.Length + 1);
            return b;
        }

        /* Open a path under dirfd: never outside it, never through a symlink (O_NOFOLLOW for the
         * last component too). openat2 answers EAGAIN when a rename elsewhere raced with it: retried. */
        private static unsafe int OpenAt(int dirfd, byte *path, int flags, uint mode)
        {
            Libc.OpenHow how;
            how.flags = (UInt64)(flags | Libc.O_CLOEXEC | Libc.O_NOFOLLOW);
            how.mode = 0 != (flags & Libc.O_CREAT) ? mode : 0;
            how.resolve = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS;
            for (int attempt = 0; ; attempt++)
            {
                int fd = (int)Libc.syscall(437 /* SYS_openat2 */, dirfd, path, &how, (UIntPtr)sizeof(Libc.OpenHow));
                if (0 <= fd || Libc.EAGAIN != Libc.Errno() || 32 == attempt)
                    return fd;
            }
        }
        private unsafe int OpenBeneath(Byte[] rel, int flags, uint mode)
        {
            fixed (byte *p = rel)
                return OpenAt(SourceFd, p, flags, mode);
        }
        /* The file an open descriptor names, opened anew with flags (through /proc/self/fd: the
         * same inode whatever its name is now). */
        private static int Reopen(int fd, OpenFlags flags)
        {
            return Syscall.open("/proc/self/fd/" + fd, flags | OpenFlags.O_CLOEXEC);
        }
        /* The parent directory of FileName (open) and the last component. */
        private int OpenParent(String FileName, out Byte[] Leaf)
        {
            CheckName(FileName);
            int i = FileName.LastIndexOf('\\');
            Leaf = PosixPath(FileName.Substring(i + 1));
            return OpenBeneath(Rel(0 == i ? "\\" : FileName.Substring(0, i)), Libc.O_PATH | Libc.O_DIRECTORY, 0);
        }

        private static UInt64 FileTime(long sec, long nsec)
        {
            return (UInt64)(sec * 10000000 + nsec / 100 + 116444736000000000L);
        }
        private static Timespec TimespecOf(UInt64 ft)
        {
            long t = (long)ft - 116444736000000000L;
            Timespec ts;
            ts.tv_sec = t / 10000000;
            ts.tv_nsec = t % 10000000 * 100;
            if (ts.tv_nsec < 0)
            {
                ts.tv_nsec += 1000000000;
                ts.tv_sec--;
            }
            return ts;
        }

        private static void InfoOf(ref Stat st, out FileInfo Info)
        {
            Info = default(FileInfo);
            FilePermissions type = st.st_mode & FilePermissions.S_IFMT;
            if (FilePermissions.S_IFDIR == type)
                Info.FileAttributes = (UInt32)System.IO.FileAttributes.Directory;
            else if (FilePermissions.S_IFREG == type)
                Info.FileAttributes = (UInt32)System.IO.FileAttributes.Archive;
            else
            {
                Info.FileAttributes = (UInt32)System.IO.FileAttributes.ReparsePoint;
                Info.ReparseTag = FilePermissions.S_IFLNK == type ? 0xA000000Cu : 0x80000014u;
            }
            Info.FileSize = (UInt64)st.st_size;
            Info.AllocationSize = (UInt64)st.st_blocks * 512;
            Info.CreationTime = FileTime(st.st_ctime, st.st_ctime_nsec);
            Info.LastAccessTime = FileTime(st.st_atime, st.st_atime_nsec);
            Info.LastWriteTime = FileTime(st.st_mtime, st.st_mtime_nsec);
            Info.ChangeTime = FileTime(st.st_ctime, st.st_ctime_nsec);
            Info.IndexNumber = st.st_ino;
            Info.HardLinks = (UInt32)st.st_nlink;
        }
        private Int32 Info(FileDesc f, out FileInfo Info)
        {
            Stat st;
            if (0 != Syscall.fstat(f.Fd, out st))
            {
                Info = default(FileInfo);
                return LastStatus();
            }
            InfoOf(ref st, out Info);
            return STATUS_SUCCESS;
        }
        private static Byte[] SecurityOf(ref Stat st)
        {
            return PosixMapPermissionsToSecurityDescriptor(st.st_uid, st.st_gid, (UInt32)st.st_mode & 0xfff);
        }

        /* ---- lifecycle ---- */

        public override Int32 Init(Object Host0)
        {
            FileSystemHost Host = (FileSystemHost)Host0;
            /* Modes arrive with the caller's umask applied already: create exactly what is asked. */
            Syscall.umask(0);
            SourceFd = Syscall.open(Source, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
            if (0 > SourceFd)
                return LastStatus();
            Host.SectorSize = 4096;
            Host.SectorsPerAllocationUnit = 1;
            Host.MaxComponentLength = 255;
            Host.FileInfoTimeout = Timeout;
            Host.CaseSensitiveSearch = true;
            Host.CasePreservedNames = true;
            Host.UnicodeOnDisk = true;
            Host.PersistentAcls = true;
            Host.ReparsePoints = true;
            Host.HardLinks = true;
            Host.ExtendedAttributes = true;
            Host.XattrsPassThrough = true; /* the EAs are the source's xattrs */
            Host.CaseSensitiveExtendedAttributes = true; /* xattrs of the source, names as Linux's */
            Host.PostCleanupWhenModifiedOnly = true;
            Host.FileSystemName = "ptfs-dotnet";
            Host.Prefix = PrefixName ?? Source;
            return STATUS_SUCCESS;
        }
        public override void Unmounted(Object Host)
        {
            if (0 <= SourceFd)
                Syscall.close(SourceFd);
            SourceFd = -1;
        }

        public override Int32 GetVolumeInfo(out VolumeInfo VolumeInfo)
        {
            VolumeInfo = default(VolumeInfo);
            Statvfs sv;
            if (0 != Syscall.fstatvfs(SourceFd, out sv))
                return LastStatus();
            VolumeInfo.TotalSize = sv.f_frsize * sv.f_blocks;
            VolumeInfo.FreeSize = sv.f_frsize * sv.f_bavail;
            return STATUS_SUCCESS;
        }

        public override unsafe Int32 GetSecurityByName(String FileName, out UInt32 FileAttributes,
            ref Byte[] SecurityDescriptor)
        {
            FileAttributes = 0;
            int fd = OpenBeneath(Rel(FileName), Libc.O_PATH | Libc.O_NOFOLLOW, 0);
            if (0 > fd)
                return LastStatus();
            try
            {
                Stat st;
                if (0 != Syscall.fstat(fd, out st))
                    return LastStatus();
                FileInfo fi;
                InfoOf(ref st, out fi);
                FileAttributes = fi.FileAttributes;
                if (null != SecurityDescriptor)
                    SecurityDescriptor = SecurityOf(ref st);
                return STATUS_SUCCESS;
            }
            finally
            {
                Syscall.close(fd);
            }
        }

        private Int32 OpenDesc(String FileName, UInt32 GrantedAccess, out FileDesc Desc)
        {
            Desc = null;
            Byte[] rel = Rel(FileName);
            int fd = OpenBeneath(rel, Libc.O_PATH | Libc.O_NOFOLLOW, 0);
            if (0 > fd)
                return LastStatus();
            Stat st;
            if (0 != Syscall.fstat(fd, out st))
            {
                Int32 r = LastStatus();
                Syscall.close(fd);
                return r;
            }
            FilePermissions type = st.st_mode & FilePermissions.S_IFMT;
            FileDesc f = new FileDesc();
            if (FilePermissions.S_IFDIR == type || FilePermissions.S_IFREG == type)
            {
                /* Reopen for I/O with the access asked for (the kernel checked the permissions):
                 * the inode just looked at, never the name, which may be a FIFO by now. */
                Boolean read = 0 != (GrantedAccess & 0x1 /* FILE_READ_DATA */) || FilePermissions.S_IFDIR == type;
                Boolean write = 0 != (GrantedAccess & 0x6 /* FILE_WRITE_DATA|FILE_APPEND_DATA */);
                OpenFlags flags = FilePermissions.S_IFDIR == type ? OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY
                    : write ? (read ? OpenFlags.O_RDWR : OpenFlags.O_WRONLY) : OpenFlags.O_RDONLY;
                /* A file's reads do not touch its access time in the source: the engine asks for it
                 * (Cleanup with CleanupSetLastAccessTime, Linux's relatime rule), and not for an
                 * O_NOATIME open. (O_NOATIME needs the owner or CAP_FOWNER: without it, as before.) */
                int io = FilePermissions.S_IFREG == type ? Reopen(fd, flags | (OpenFlags)Libc.O_NOATIME) : -1;
                /* without data access (e.g. not root, mode 000) the O_PATH descriptor still serves attributes */
                if (0 > io)
                    io = Reopen(fd, flags);
                if (0 <= io)
                {
                    Syscall.close(fd);
                    fd = io;
                }
                else
                    f.IsPath = true;
            }
            else
                f.IsPath = true;
            f.Fd = fd;
            Desc = f;
            return STATUS_SUCCESS;
        }

        public override Int32 Open(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess, out Object FileNode,
            out Object FileDesc0, out FileInfo FileInfo, out String NormalizedName)
        {
            FileNode = null;
            FileDesc0 = null;
            FileInfo = default(FileInfo);
            NormalizedName = null;
            FileDesc f;
            Int32 r = OpenDesc(FileName, GrantedAccess, out f);
            if (0 > r)
                return r;
            r = Info(f, out FileInfo);
            if (0 > r)
            {
                Syscall.close(f.Fd);
                return r;
            }
            FileDesc0 = f;
            return STATUS_SUCCESS;
        }

        public override unsafe Int32 CreateEx(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            UInt32 FileAttributes, Byte[] SecurityDescriptor, UInt64 AllocationSize, IntPtr ExtraBuffer,
            UInt32 ExtraLength, Boolean ExtraBufferIsReparsePoint, out Object FileNode, out Object FileDesc0,
            out FileInfo FileInfo, out String NormalizedName)
        {
            FileNode = null;
            FileDesc0 = null;
            FileInfo = default(FileInfo);
            NormalizedName = null;
            UInt32 uid = 0, gid = 0, mode = 0;
            Boolean isDir = 0 != (CreateOptions & FILE_DIRECTORY_FILE);
            if (null == SecurityDescriptor || 0 > PosixMapSecurityDescriptorToPermissions(SecurityDescriptor,
                out uid, out gid, out mode))
            {
                GetOperationCaller(out uid, out gid);
                mode = isDir ? 0x1edu : 0x1a4u;
            }
            Byte[] leaf;
            int dfd = OpenParent(FileName, out leaf);
            if (0 > dfd)
                return LastStatus();
            try
            {
                int rc;
                fixed (byte *p = leaf)
                {
                    if (ExtraBufferIsReparsePoint && IntPtr.Zero == ExtraBuffer)
                        return STATUS_IO_REPARSE_DATA_INVALID;
                    if (ExtraBufferIsReparsePoint)
                        rc = MakeSpecial(dfd, p, ExtraBuffer, ExtraLength, mode);
                    else if (isDir)
                        rc = Libc.mkdirat(dfd, p, mode & 0xfff);
                    else
                        rc = OpenAt(dfd, p, Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR, mode & 0xfff);
                    if (0 > rc)
                        return 0 > rc && -1 != rc ? rc : LastStatus();
                    /* Owner and group from the descriptor the engine built (the caller's, or
                     * setgid's), and the exact mode (no umask): on a descriptor of what was made,
                     * never by a name that someone may have replaced by a symlink meanwhile. */
                    if (ExtraBufferIsReparsePoint)
                        Libc.fchownat(dfd, p, uid, gid, Libc.AT_SYMLINK_NOFOLLOW);
                    else
                    {
                        int fd = isDir ? OpenAt(dfd, p, Libc.O_RDONLY | Libc.O_DIRECTORY, 0) : rc;
                        if (0 <= fd)
                        {
                            Libc.fchown(fd, uid, gid);
                            Syscall.fchmod(fd, (FilePermissions)(mode & 0xfff));
                            Syscall.close(fd);
                        }
                    }
                }
            }
            finally
            {
                Syscall.close(dfd);
            }
            FileDesc f;
            Int32 r = OpenDesc(FileName, GrantedAccess | 0x3, out f);
            if (0 > r)
                return r;
            r = Info(f, out FileInfo);
            FileDesc0 = f;
            return r;
        }

        /* A symlink (IO_REPARSE_TAG_SYMLINK) or a special file (IO_REPARSE_TAG_NFS) from reparse data. */
        private unsafe int MakeSpecial(int dfd, byte *leaf, IntPtr Buffer, UInt32 Size, UInt32 mode)
        {
            byte *b = (byte *)Buffer;
            if (8 > Size)
                return STATUS_IO_REPARSE_DATA_INVALID;
            UInt32 tag = *(UInt32 *)b;
            if (0xA000000C == tag)
            {
                if (20 > Size)
                    return STATUS_IO_REPARSE_DATA_INVALID;
                int off = *(UInt16 *)(b + 8), len = *(UInt16 *)(b + 10);
                if (0 != off % 4 || 0 != len % 4 || 20 + off + len > Size)
                    return STATUS_IO_REPARSE_DATA_INVALID;
                String target = Fsp.Interop.Utf32.Decode((UInt32 *)(b + 20 + off), len / 4);
                Byte[] t = PosixPath(target.Replace('/', '\\'));
                fixed (byte *tp = t)
                    return Libc.symlinkat(tp, dfd, leaf);
            }
            if (0x80000014 == tag && 16 <= Size)
            {
                UInt64 kind = *(UInt64 *)(b + 8);
                uint type;
                ulong dev = 0;
                if (0x000000004F464946UL == kind)
                    type = 0x1000; /* S_IFIFO */
                else if (0x000000004B434F53UL == kind)
                    type = 0xC000; /* S_IFSOCK */
                else if ((0x0000000000524843UL == kind || 0x00000000004B4C42UL == kind) && 24 <= Size)
                {
                    type = 0x0000000000524843UL == kind ? 0x2000u : 0x6000u;
                    UInt32 major = *(UInt32 *)(b + 16), minor = *(UInt32 *)(b + 20);
                    dev = ((ulong)(major & 0xfff) << 8) | ((ulong)(major & ~0xfffu) << 32) |
                          (minor & 0xff) | ((ulong)(minor & ~0xffu) << 12);
                }
                else
                    return STATUS_IO_REPARSE_DATA_INVALID;
                return Libc.mknodat(dfd, leaf, type | (mode & 0xfff), dev);
            }
            return STATUS_IO_REPARSE_TAG_NOT_HANDLED;
        }

        public override Int32 OverwriteEx(Object FileNode, Object FileDesc0, UInt32 FileAttributes,
            Boolean ReplaceFileAttributes, UInt64 AllocationSize, IntPtr Ea, UInt32 EaLength, out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            FileInfo = default(FileInfo);
            if (0 != Truncate(f, 0))
                return LastStatus();
            return Info(f, out FileInfo);
        }

        public override void Cleanup(Object FileNode, Object FileDesc0, String FileName, UInt32 Flags)
        {
            FileDesc a = (FileDesc)FileDesc0;
            if (0 != (Flags & CleanupSetLastAccessTime) && null != a && !a.IsPath)
            {
                /* the access time of a read (files' I/O descriptors are O_NOATIME) */
                Timespec[] ts = new Timespec[2];
                ts[0] = new Timespec { tv_nsec = (1L << 30) - 1 /* UTIME_NOW */ };
                ts[1] = new Timespec { tv_nsec = (1L << 30) - 2 /* UTIME_OMIT */ };
                Syscall.futimens(a.Fd, ts);
            }
            if (0 == (Flags & CleanupDelete) || null == FileName)
                return;
            /* LinFsp: the source may refuse what CanDelete allowed (EPERM for an immutable file,
             * EBUSY for a mount point, ENOTEMPTY after a file was added on the source's side) */
            SetCleanupStatus(Delete((FileDesc)FileDesc0, FileName));
        }
        /* Remove the name, only if it still names this file. */
        private unsafe Int32 Delete(FileDesc f, String FileName)
        {
            if ("\\" == FileName)
                return STATUS_CANNOT_DELETE;
            Byte[] leaf;
            int dfd = OpenParent(FileName, out leaf);
            if (0 > dfd)
                return LastStatus();
            try
            {
                Stat mine, now;
                if (0 != Syscall.fstat(f.Fd, out mine))
                    return LastStatus();
                Boolean isDir = FilePermissions.S_IFDIR == (mine.st_mode & FilePermissions.S_IFMT);
                fixed (byte *p = leaf)
                {
                    int fd = OpenAt(dfd, p, Libc.O_PATH, 0);
                    if (0 > fd)
                        return LastStatus();
                    int same = Syscall.fstat(fd, out now);
                    Syscall.close(fd);
                    if (0 != same || now.st_ino != mine.st_ino || now.st_dev != mine.st_dev)
                        return STATUS_OBJECT_NAME_NOT_FOUND; /* the name is another file's now: not ours to delete */
                    if (0 != Libc.unlinkat(dfd, p, isDir ? Libc.AT_REMOVEDIR : 0))
                        return LastStatus();
                    return STATUS_SUCCESS;
                }
            }
            finally
            {
                Syscall.close(dfd);
            }
        }
        public override void Close(Object FileNode, Object FileDesc0)
        {
            FileDesc f = (FileDesc)FileDesc0;
            if (0 <= f.Fd)
                Syscall.close(f.Fd);
            f.Fd = -1;
        }

        public override Int32 Read(Object FileNode, Object FileDesc0, IntPtr Buffer, UInt64 Offset, UInt32 Length,
            out UInt32 BytesTransferred)
        {
            FileDesc f = (FileDesc)FileDesc0;
            long n = Syscall.pread(f.Fd, Buffer, Length, (long)Offset);
            BytesTransferred = 0 < n ? (UInt32)n : 0;
            if (0 > n)
                return LastStatus();
            return 0 == n && 0 < Length ? STATUS_END_OF_FILE : STATUS_SUCCESS;
        }

        public override Int32 Write(Object FileNode, Object FileDesc0, IntPtr Buffer, UInt64 Offset, UInt32 Length,
            Boolean WriteToEndOfFile, Boolean ConstrainedIo, out UInt32 BytesTransferred, out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            BytesTransferred = 0;
            FileInfo = default(FileInfo);
            Stat st;
            if ((WriteToEndOfFile || ConstrainedIo) && 0 != Syscall.fstat(f.Fd, out st))
                return LastStatus();
            else
                st = default(Stat);
            if (WriteToEndOfFile)
                Offset = (UInt64)st.st_size;
            if (ConstrainedIo)
            {
                if (Offset >= (UInt64)st.st_size)
                    return Info(f, out FileInfo);
                Length = (UInt32)Math.Min(Length, (UInt64)st.st_size - Offset);
            }
            UInt32 done = 0;
            while (done < Length)
            {
                long n = Syscall.pwrite(f.Fd, (IntPtr)((long)Buffer + done), Length - done, (long)Offset + done);
                if (0 > n)
                    return LastStatus();
                if (0 == n)
                    break;
                done += (UInt32)n;
            }
            BytesTransferred = done;
            return Info(f, out FileInfo);
        }

        public override Int32 Flush(Object FileNode, Object FileDesc0, out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            FileInfo = default(FileInfo);
            if (null == f)
                return 0 == Libc.syncfs(SourceFd) ? STATUS_SUCCESS : LastStatus();
            if (!f.IsPath && 0 != Syscall.fsync(f.Fd))
                return LastStatus();
            return Info(f, out FileInfo);
        }

        public override Int32 GetFileInfo(Object FileNode, Object FileDesc0, out FileInfo FileInfo)
        {
            return Info((FileDesc)FileDesc0, out FileInfo);
        }

        /* A path naming the open file (for calls that have no descriptor form for O_PATH descriptors). */
        private static Byte[] ProcPath(int fd)
        {
            return Encoding.ASCII.GetBytes("/proc/self/fd/" + fd + "\0");
        }

        public override unsafe Int32 SetBasicInfo(Object FileNode, Object FileDesc0, UInt32 FileAttributes,
            UInt64 CreationTime, UInt64 LastAccessTime, UInt64 LastWriteTime, UInt64 ChangeTime, out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            if (0 != LastAccessTime || 0 != LastWriteTime)
            {
                Timespec[] ts = new Timespec[2];
                ts[0] = 0 != LastAccessTime ? TimespecOf(LastAccessTime) : new Timespec { tv_nsec = (1L << 30) - 2 /* UTIME_OMIT */ };
                ts[1] = 0 != LastWriteTime ? TimespecOf(LastWriteTime) : new Timespec { tv_nsec = (1L << 30) - 2 };
                int rc = f.IsPath
                    ? Syscall.utimensat(-100 /* AT_FDCWD */, "/proc/self/fd/" + f.Fd, ts, 0)
                    : Syscall.futimens(f.Fd, ts);
                if (0 != rc)
                {
                    FileInfo = default(FileInfo);
                    return LastStatus();
                }
            }
            return Info(f, out FileInfo);
        }

        public override Int32 SetFileSize(Object FileNode, Object FileDesc0, UInt64 NewSize, Boolean SetAllocationSize,
            out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            FileInfo = default(FileInfo);
            if (SetAllocationSize)
            {
                Stat st;
                if (0 != Syscall.fstat(f.Fd, out st))
                    return LastStatus();
                if (NewSize < (UInt64)st.st_size && 0 != Truncate(f, NewSize))
                    return LastStatus();
                /* grow the allocation only (fallocate(FALLOC_FL_KEEP_SIZE)) */
                if (NewSize > (UInt64)st.st_size && 0 != Libc.fallocate(f.Fd, 1, st.st_size, (long)NewSize - st.st_size))
                    return LastStatus();
            }
            else if (0 != Truncate(f, NewSize))
                return LastStatus();
            return Info(f, out FileInfo);
        }

        /* fallocate(2) on the source file (LinFsp extension); zero range emulated by punch hole +
         * allocate where the source has none (tmpfs). */
        public override Int32 Fallocate(Object FileNode, Object FileDesc0, UInt32 Mode, UInt64 Offset, UInt64 Length,
            out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            FileInfo = default(FileInfo);
            if (f.IsPath)
                return STATUS_INVALID_PARAMETER;
            int eopnotsupp = (int)NativeConvert.FromErrno(Errno.EOPNOTSUPP);
            int rc = Libc.fallocate(f.Fd, (int)Mode, (long)Offset, (long)Length);
            if (0 != rc && eopnotsupp == Libc.Errno() && 0 != (Mode & FALLOCATE_ZERO_RANGE))
            {
                rc = Libc.fallocate(f.Fd, (int)(FALLOCATE_PUNCH_HOLE | FALLOCATE_KEEP_SIZE), (long)Offset, (long)Length);
                if (0 == rc)
                    rc = Libc.fallocate(f.Fd, (int)(Mode & FALLOCATE_KEEP_SIZE), (long)Offset, (long)Length);
            }
            if (0 != rc)
                return eopnotsupp == Libc.Errno() ? STATUS_NOT_SUPPORTED : LastStatus();
            return Info(f, out FileInfo);
        }

        /* O_TRUNC truncates even a read-only open: truncate the file the descriptor names. */
        private static int Truncate(FileDesc f, UInt64 Size)
        {
            if (!f.IsPath && 0 == Syscall.ftruncate(f.Fd, (long)Size))
                return 0;
            return Syscall.truncate("/proc/self/fd/" + f.Fd, (long)Size);
        }

        public override Int32 CanDelete(Object FileNode, Object FileDesc0, String FileName)
        {
            FileDesc f = (FileDesc)FileDesc0;
            Stat st;
            if (0 != Syscall.fstat(f.Fd, out st))
                return LastStatus();
            if (FilePermissions.S_IFDIR != (st.st_mode & FilePermissions.S_IFMT))
                return STATUS_SUCCESS;
            if ("\\" == FileName)
                return STATUS_CANNOT_DELETE;
            /* a directory must be empty: the one open, whatever its name is now */
            int fd = Reopen(f.Fd, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
            if (0 > fd)
                return LastStatus();
            IntPtr dir = Syscall.fdopendir(fd);
            if (IntPtr.Zero == dir)
            {
                Syscall.close(fd);
                return LastStatus();
            }
            try
            {
                Dirent e;
                while (null != (e = Syscall.readdir(dir)))
                    if ("." != e.d_name && ".." != e.d_name)
                        return STATUS_DIRECTORY_NOT_EMPTY;
                return STATUS_SUCCESS;
            }
            finally
            {
                Syscall.closedir(dir);
            }
        }

        public override unsafe Int32 Rename(Object FileNode, Object FileDesc0, String FileName, String NewFileName,
            Boolean ReplaceIfExists)
        {
            Byte[] sleaf, dleaf;
            int sfd = OpenParent(FileName, out sleaf);
            if (0 > sfd)
                return LastStatus();
            int dfd = OpenParent(NewFileName, out dleaf);
            if (0 > dfd)
            {
                Int32 r = LastStatus();
                Syscall.close(sfd);
                return r;
            }
            try
            {
                fixed (byte *s = sleaf)
                fixed (byte *d = dleaf)
                    if (0 != Libc.renameat2(sfd, s, dfd, d, ReplaceIfExists ? 0 : Libc.RENAME_NOREPLACE))
                        return LastStatus();
                return STATUS_SUCCESS;
            }
            finally
            {
                Syscall.close(sfd);
                Syscall.close(dfd);
            }
        }

        public override unsafe Int32 CreateHardLink(Object FileNode, Object FileDesc0, String FileName,
            String NewFileName, out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            FileInfo = default(FileInfo);
            Byte[] leaf;
            int dfd = OpenParent(NewFileName, out leaf);
            if (0 > dfd)
                return LastStatus();
            try
            {
                Byte[] empty = new Byte[1];
                fixed (byte *e = empty)
                fixed (byte *p = leaf)
                    if (0 != Libc.linkat(f.Fd, e, dfd, p, Libc.AT_EMPTY_PATH))
                        return LastStatus();
            }
            finally
            {
                Syscall.close(dfd);
            }
            return Info(f, out FileInfo);
        }

        public override Int32 GetSecurity(Object FileNode, Object FileDesc0, ref Byte[] SecurityDescriptor)
        {
            Stat st;
            if (0 != Syscall.fstat(((FileDesc)FileDesc0).Fd, out st))
                return LastStatus();
            SecurityDescriptor = SecurityOf(ref st);
            return STATUS_SUCCESS;
        }

        public override unsafe Int32 SetSecurity(Object FileNode, Object FileDesc0, AccessControlSections Sections,
            Byte[] SecurityDescriptor)
        {
            FileDesc f = (FileDesc)FileDesc0;
            Stat st;
            if (0 != Syscall.fstat(f.Fd, out st))
                return LastStatus();
            Byte[] modified = null;
            Int32 r = ModifySecurityDescriptorEx(SecurityOf(ref st), Sections, SecurityDescriptor, ref modified);
            if (0 > r)
                return r;
            UInt32 uid, gid, mode;
            r = PosixMapSecurityDescriptorToPermissions(modified, out uid, out gid, out mode);
            if (0 > r)
                return r;
            Byte[] empty = new Byte[1];
            fixed (byte *e = empty)
            {
                if ((uid != st.st_uid || gid != st.st_gid) &&
                    0 != Libc.fchownat(f.Fd, e, uid, gid, Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW))
                    return LastStatus();
                if (FilePermissions.S_IFLNK != (st.st_mode & FilePermissions.S_IFMT) &&
                    (mode & 0xfff) != ((UInt32)st.st_mode & 0xfff))
                {
                    Byte[] proc = ProcPath(f.Fd);
                    fixed (byte *p = proc)
                        if (0 != Libc.fchmodat(-100, p, mode & 0xfff, 0))
                            return LastStatus();
                }
            }
            return STATUS_SUCCESS;
        }

        public override Int32 ReadDirectory(Object FileNode, Object FileDesc0, String Pattern, String Marker,
            IntPtr Buffer, UInt32 Length, out UInt32 BytesTransferred)
        {
            FileDesc f = (FileDesc)FileDesc0;
            BytesTransferred = 0;
            lock (f)
            {
                if (null == Marker || null == f.Names)
                {
                    Int32 r = List(f);
                    if (0 > r)
                        return r;
                }
                int i = 0;
                if (null != Marker)
                {
                    int lo = 0, hi = f.Names.Count;
                    while (lo < hi)
                    {
                        int mid = (lo + hi) / 2;
                        if (0 >= String.CompareOrdinal(f.Names[mid], Marker))
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    i = lo;
                }
                for (; i < f.Names.Count; i++)
                {
                    FileInfo fi;
                    if (!EntryInfo(f, f.Raw[i], out fi))
                        continue; /* removed since the listing started */
                    if (!AddDirInfo(f.Names[i], ref fi, Buffer, Length, ref BytesTransferred))
                        return STATUS_SUCCESS;
                }
                AddDirInfoEnd(Buffer, Length, ref BytesTransferred);
                return STATUS_SUCCESS;
            }
        }

        /* Take a sorted snapshot of the directory's names (LinFsp's Windows form of the bytes). */
        private unsafe Int32 List(FileDesc f)
        {
            int fd = Reopen(f.Fd, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
            if (0 > fd)
                return LastStatus();
            SortedDictionary<String, Byte[]> entries = new SortedDictionary<String, Byte[]>(StringComparer.Ordinal);
            try
            {
                byte *buf = stackalloc byte[32768];
                for (;;)
                {
                    long n = Libc.getdents64(fd, buf, (UIntPtr)32768);
                    if (0 > n)
                        return LastStatus();
                    if (0 == n)
                        break;
                    for (long at = 0; at < n; at += *(UInt16 *)(buf + at + 16))
                    {
                        byte *name = buf + at + 19;
                        if ('.' == name[0] && (0 == name[1] || ('.' == name[1] && 0 == name[2])))
                            continue;
                        int len = 0;
                        while (0 != name[len])
                            len++;
                        Byte[] raw = new Byte[len];
                        Marshal.Copy((IntPtr)name, raw, 0, len);
                        String windows = PosixMapPosixToWindowsPath(raw);
                        if (null == windows)
                            continue;
                        Array.Resize(ref raw, len + 1); /* NUL-terminated for openat2 */
                        entries[windows] = raw;
                    }
                }
            }
            finally
            {
                Syscall.close(fd);
            }
            f.Names = new List<String>(entries.Keys);
            f.Raw = new List<Byte[]>(entries.Values);
            return STATUS_SUCCESS;
        }
        /* The attributes of one entry of the directory f, now. */
        private unsafe Boolean EntryInfo(FileDesc f, Byte[] raw, out FileInfo Info)
        {
            Info = default(FileInfo);
            int fd;
            fixed (byte *p = raw)
                fd = OpenAt(f.Fd, p, Libc.O_PATH, 0);
            if (0 > fd)
                return false;
            Stat st;
            Boolean ok = 0 == Syscall.fstat(fd, out st);
            Syscall.close(fd);
            if (ok)
                InfoOf(ref st, out Info);
            return ok;
        }

        public override unsafe Int32 GetReparsePoint(Object FileNode, Object FileDesc0, String FileName,
            ref Byte[] ReparseData)
        {
            FileDesc f = (FileDesc)FileDesc0;
            Stat st;
            if (0 != Syscall.fstat(f.Fd, out st))
                return LastStatus();
            FilePermissions type = st.st_mode & FilePermissions.S_IFMT;
            if (FilePermissions.S_IFLNK == type)
            {
                byte *buf = stackalloc byte[4097];
                Byte[] empty = new Byte[1];
                long n;
                fixed (byte *e = empty)
                    n = Libc.readlinkat(f.Fd, e, buf, (UIntPtr)4096);
                if (0 > n)
                    return LastStatus();
                Byte[] link = new Byte[n];
                Marshal.Copy((IntPtr)buf, link, 0, (int)n);
                String target = PosixMapPosixToWindowsPath(link);
                if (null == target)
                    return STATUS_OBJECT_NAME_INVALID;
                int chars = Fsp.Interop.Utf32.EncodedLength(target), bytes = chars * 4;
                int print = 20 + 2 * bytes <= 32 * 1024 ? bytes : 0;
                if (20 + bytes + print > 32 * 1024)
                    return STATUS_NAME_TOO_LONG;
                ReparseData = new Byte[20 + bytes + print];
                fixed (byte *r = ReparseData)
                {
                    *(UInt32 *)r = 0xA000000C;
                    *(UInt16 *)(r + 4) = (UInt16)(ReparseData.Length - 8);
                    *(UInt16 *)(r + 8) = 0;
                    *(UInt16 *)(r + 10) = (UInt16)bytes;
                    *(UInt16 *)(r + 12) = (UInt16)bytes;
                    *(UInt16 *)(r + 14) = (UInt16)print;
                    *(UInt32 *)(r + 16) = '/' == buf[0] ? 0u : 1u; /* SYMLINK_FLAG_RELATIVE */
                    Fsp.Interop.Utf32.Encode(target, (UInt32 *)(r + 20), chars);
                    if (0 < print)
                        Fsp.Interop.Utf32.Encode(target, (UInt32 *)(r + 20 + bytes), chars);
                }
                return STATUS_SUCCESS;
            }
            if (FilePermissions.S_IFREG == type || FilePermissions.S_IFDIR == type)
                return STATUS_NOT_A_REPARSE_POINT;
            Boolean dev = FilePermissions.S_IFCHR == type || FilePermissions.S_IFBLK == type;
            ReparseData = new Byte[8 + (dev ? 16 : 8)];
            fixed (byte *r = ReparseData)
            {
                *(UInt32 *)r = 0x80000014;
                *(UInt16 *)(r + 4) = (UInt16)(dev ? 16 : 8);
                *(UInt64 *)(r + 8) = FilePermissions.S_IFIFO == type ? 0x000000004F464946UL
                    : FilePermissions.S_IFSOCK == type ? 0x000000004B434F53UL
                    : FilePermissions.S_IFCHR == type ? 0x0000000000524843UL : 0x00000000004B4C42UL;
                if (dev)
                {
                    ulong d = st.st_rdev;
                    *(UInt32 *)(r + 16) = (UInt32)(((d >> 32) & 0xfffff000) | ((d >> 8) & 0xfff));
                    *(UInt32 *)(r + 20) = (UInt32)(((d >> 12) & 0xffffff00) | (d & 0xff));
                }
            }
            return STATUS_SUCCESS;
        }

        /* ---- extended attributes: Linux xattrs ---- */

        /* xattr calls on the open file: on its descriptor, or through /proc/self/fd for an O_PATH
         * descriptor (a symlink or special file), which leads to that very inode. */
        private static long ListXattr(FileDesc f, out String[] Names)
        {
            return f.IsPath ? Syscall.listxattr("/proc/self/fd/" + f.Fd, out Names) : Syscall.flistxattr(f.Fd, out Names);
        }
        private static long GetXattr(FileDesc f, String Name, out Byte[] Value)
        {
            return f.IsPath ? Syscall.getxattr("/proc/self/fd/" + f.Fd, Name, out Value) : Syscall.fgetxattr(f.Fd, Name, out Value);
        }
        private static int SetXattr(FileDesc f, String Name, Byte[] Value)
        {
            return f.IsPath ? Syscall.setxattr("/proc/self/fd/" + f.Fd, Name, Value) : Syscall.fsetxattr(f.Fd, Name, Value);
        }
        private static int RemoveXattr(FileDesc f, String Name)
        {
            return f.IsPath ? Syscall.removexattr("/proc/self/fd/" + f.Fd, Name) : Syscall.fremovexattr(f.Fd, Name);
        }

        public override Boolean GetEaEntry(Object FileNode, Object FileDesc0, ref Object Context, out String EaName,
            out Byte[] EaValue, out Boolean NeedEa)
        {
            FileDesc f = (FileDesc)FileDesc0;
            EaName = null;
            EaValue = null;
            NeedEa = false;
            Queue<String> names = (Queue<String>)Context;
            if (null == names)
            {
                String[] list;
                if (0 > ListXattr(f, out list))
                    list = new String[0];
                /* Local file systems list trusted.* to CAP_SYS_ADMIN only; the kernel leaves that to
                 * the file system: listed to root only (the kernel denies others their values). */
                UInt32 uid, gid;
                Boolean hideTrusted = GetOperationCaller(out uid, out gid) && 0 != uid;
                names = new Queue<String>();
                foreach (String n in list)
                    if (!hideTrusted || !n.StartsWith("trusted.", StringComparison.Ordinal))
                        names.Enqueue(n);
                Context = names;
            }
            while (0 < names.Count)
            {
                String n = names.Dequeue();
                Byte[] v;
                if (0 < GetXattr(f, n, out v)) /* gone, or empty (an EA cannot be empty): skipped */
                {
                    EaName = n;
                    EaValue = v;
                    return true;
                }
            }
            return false;
        }

        public override Int32 SetEa(Object FileNode, Object FileDesc0, IntPtr Ea, UInt32 EaLength, out FileInfo FileInfo)
        {
            FileDesc f = (FileDesc)FileDesc0;
            FileInfo = default(FileInfo);
            Int32 r = SetEaEntries(null, f, Ea, EaLength);
            if (0 > r)
                return r;
            return Info(f, out FileInfo);
        }

        public override Int32 SetEaEntry(Object FileNode, Object FileDesc0, ref Object Context, String EaName,
            Byte[] EaValue, Boolean NeedEa)
        {
            FileDesc f = (FileDesc)FileDesc0;
            int rc = null == EaValue ? RemoveXattr(f, EaName) : SetXattr(f, EaName, EaValue);
            if (0 != rc)
            {
                int errno = Libc.Errno();
                if (null == EaValue && (int)NativeConvert.FromErrno(Errno.ENODATA) == errno)
                    return STATUS_SUCCESS;
                if ((int)NativeConvert.FromErrno(Errno.EOPNOTSUPP) == errno)
                    return STATUS_EAS_NOT_SUPPORTED;
                return Status(errno);
            }
            return STATUS_SUCCESS;
        }

        public override Int32 ExceptionHandler(Exception ex)
        {
            if (ex is ArgumentException)
                return STATUS_OBJECT_NAME_INVALID;
            return base.ExceptionHandler(ex);
        }
    }

    class PtfsService : Service
    {
        private const String Usage =
            "usage: passthrough-dotnet OPTIONS\n" +
            "\n" +
            "options:\n" +
            "    -p Directory        the directory to serve (required)\n" +
            "    -m MountPoint       directory to mount on (required)\n" +
            "    -t FileInfoTimeout  ms the kernel caches metadata (default 1000; -1: forever)\n" +
            "    -d DebugFlags       trace requests (-1: all)\n" +
            "    -D DebugLogFile     trace to this file ('-' for stderr)\n" +
            "    -u \\Server\\Share    volume prefix (shown as the mount source)\n" +
            "    -o Options          mount options (allow_other, ro, ...); may repeat\n";

        private FileSystemHost Host;

        public PtfsService() : base("passthrough-dotnet")
        {
        }

        private void Fail(String Message)
        {
            if (null != Message)
                Log(EVENTLOG_ERROR_TYPE, Message);
            Console.Error.Write(Usage);
            ExitCode = 2;
            throw new ArgumentException(Message);
        }

        protected override void OnStart(String[] Args)
        {
            String Source = null, MountPoint = null, DebugLogFile = null, Prefix = null, Options = null;
            UInt32 Debug = 0, Timeout = 1000;
            for (int i = 1; i < Args.Length; i++)
            {
                String a = Args[i];
                if ("-h" == a)
                    Fail(null);
                if (i + 1 >= Args.Length)
                    Fail("option " + a + " needs a value");
                String v = Args[++i];
                switch (a)
                {
                case "-p": Source = v; break;
                case "-m": MountPoint = v; break;
                case "-D": DebugLogFile = v; break;
                case "-u": Prefix = v; break;
                case "-o": Options = null == Options ? v : Options + "," + v; break;
                case "-d": Debug = "-1" == v ? UInt32.MaxValue : ParseU32(a, v); break;
                case "-t": Timeout = "-1" == v ? UInt32.MaxValue : ParseU32(a, v); break;
                default: Fail("unknown argument " + a); break;
                }
            }
            if (null == Source || null == MountPoint)
                Fail("-p Directory and -m MountPoint are required");
            /* Serving a directory inside its own mount would make the passthrough call itself. */
            String rs = RealPath(Source), rm = RealPath(MountPoint);
            if (null == rs)
                Fail(Source + ": " + Stdlib.strerror(Stdlib.GetLastError()));
            if (null != rm && (rm == rs || "/" == rs || rm.StartsWith(rs + "/", StringComparison.Ordinal)))
                Fail("the mount point " + rm + " is inside the source " + rs);
            if (null != DebugLogFile && 0 > FileSystemHost.SetDebugLogFile(DebugLogFile))
                Fail("cannot open " + DebugLogFile);
            Host = new FileSystemHost(new Ptfs(Source, Timeout, Prefix));
            Host.MountOptions = Options;
            Int32 r = Host.Mount(MountPoint, null, false, Debug);
            if (0 > r)
            {
                Log(EVENTLOG_ERROR_TYPE, String.Format("cannot serve {0} at {1} (status 0x{2:X8})", Source, MountPoint, r));
                ExitCode = 1;
                throw new InvalidOperationException("mount failed");
            }
            Log(EVENTLOG_INFORMATION_TYPE, "serving " + Source + " at " + MountPoint);
        }

        private static String RealPath(String Path)
        {
            IntPtr p = Libc.realpath(Path, IntPtr.Zero);
            if (IntPtr.Zero == p)
                return null;
            try
            {
                return Marshal.PtrToStringAnsi(p); /* UTF-8 on Mono */
            }
            finally
            {
                Libc.free(p);
            }
        }

        private UInt32 ParseU32(String Option, String Value)
        {
            UInt32 r;
            if (!UInt32.TryParse(Value, out r))
                Fail("invalid value for " + Option + ": " + Value);
            return r;
        }

        protected override void OnStop()
        {
            if (null != Host)
            {
                Host.Unmount();
                Host = null;
            }
        }

        static void Main()
        {
            Environment.ExitCode = new PtfsService().Run();
        }
    }
}
