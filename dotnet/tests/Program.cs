/*
 * dotnet/tests/Program.cs - test-dotnet: the .NET layer's own pieces. Built together with
 * memfs-dotnet's Program.cs (its file system serves the mounts here).
 *   - structure layouts against <winfsp/fsctl.h> (sizes the C compiler gives on Linux);
 *   - UTF-32 <-> string: non-ASCII, astral-plane (surrogate pairs), lone surrogates;
 *   - security descriptors: SDDL, the POSIX mapping and SetSecurity modifications round trips;
 *   - WinFsp's API surface: every member and default of its .NET layer (ApiSurface.cs);
 *   - passthrough-dotnet called directly with names no kernel sends (PassthroughNames.cs);
 *   - through a real mount (root): names of every plane, an exception in a callback mapped to the
 *     status ExceptionHandler gives (and to STATUS_UNEXPECTED_IO_ERROR when it throws), a Close
 *     that throws, and every Read, Write and ReadDirectory completed later (STATUS_PENDING and
 *     Send*Response from thread-pool threads), the caller GetOperationCaller reports.
 * Ends with "N passed, N failed".
 */
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Text;
using Fsp;
using Fsp.Interop;
using Mono.Unix.Native;
using FileInfo = Fsp.Interop.FileInfo;

namespace Tests
{
    /* memfs with callbacks that throw, for names that ask for it */
    class ThrowingMemfs : Memfs.Memfs
    {
        internal volatile Boolean ThrowOnClose;
        internal int CloseThrown;
        internal int NotifyMeLookups;   /* the engine asked about the name "notify-me" */
        internal String WhoAmI = "";     /* GetOperationCaller's answer when the name "whoami" was asked about */
        /* the name "caller-probe": the caller as GetOperationCaller sees it, the pid as the C
         * layer (FspFileSystemOperationProcessId) and as read 8 bytes after CallerUid */
        internal volatile String CallerProbe;

        public ThrowingMemfs(Byte[] Root, UInt32 SlowPercent, UInt32 FileInfoTimeout = 0)
            : base(false, 4096, 64UL << 20, FileInfoTimeout, null, "test-dotnet", Root, 20, SlowPercent, 50)
        {
        }
        public override Int32 GetSecurityByName(String FileName, out UInt32 FileAttributes, ref Byte[] SecurityDescriptor)
        {
            if (FileName.EndsWith("\\notify-me"))
                System.Threading.Interlocked.Increment(ref NotifyMeLookups);
            if (FileName.EndsWith("\\whoami"))
            {
                UInt32 uid, gid;
                Boolean inside = GetOperationCaller(out uid, out gid);
                WhoAmI = inside + " " + uid + " " + gid;
            }
            if (FileName.EndsWith("\\caller-probe"))
                CallerProbe = ProbeCaller();
            if (FileName.EndsWith("throw-io") && !FileName.EndsWith("no-throw-io"))
                throw new InvalidOperationException("test: an exception in GetSecurityByName");
            if (FileName.EndsWith("throw-denied"))
                throw new UnauthorizedAccessException("test: mapped by ExceptionHandler");
            if (FileName.EndsWith("throw-twice"))
                throw new FormatException("test: ExceptionHandler throws too");
            return base.GetSecurityByName(FileName, out FileAttributes, ref SecurityDescriptor);
        }
        static unsafe String ProbeCaller()
        {
            UInt32 uid, gid;
            Boolean ok = GetOperationCaller(out uid, out gid);
            IntPtr ctx = Api.FspFileSystemGetOperationContext();
            IntPtr req = IntPtr.Zero == ctx ? IntPtr.Zero : Marshal.ReadIntPtr(ctx);
            UInt32 pid = IntPtr.Zero == req ? 0 : *(UInt32 *)((byte *)req + NativeOffsets.RequestCallerUid + 8);
            return String.Format("{0} {1}:{2} pid {3} {4}", ok, uid, gid, pid, GetOperationProcessId());
        }
        /* lookups: memfs sets PassQueryDirectoryFileName, so the engine asks GetDirInfoByName */
        public override Int32 GetDirInfoByName(Object FileNode, Object FileDesc, String FileName,
            out String NormalizedName, out FileInfo FileInfo)
        {
            UInt32 a;
            Byte[] sd = null;
            GetSecurityByName("\\" + FileName, out a, ref sd);
            return base.GetDirInfoByName(FileNode, FileDesc, FileName, out NormalizedName, out FileInfo);
        }
        public override Int32 Open(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess, out Object FileNode,
            out Object FileDesc, out FileInfo FileInfo, out String NormalizedName)
        {
            UInt32 a;
            Byte[] sd = null;
            GetSecurityByName(FileName, out a, ref sd);
            return base.Open(FileName, CreateOptions, GrantedAccess, out FileNode, out FileDesc, out FileInfo,
                out NormalizedName);
        }
        /* deletes that fail: reported (LinFsp's SetCleanupStatus), or an exception */
        public override void Cleanup(Object FileNode, Object FileDesc, String FileName, UInt32 Flags)
        {
            if (0 != (Flags & CleanupDelete) && null != FileName && FileName.EndsWith("refuse-delete"))
            {
                SetCleanupStatus(STATUS_ACCESS_DENIED);
                return;
            }
            if (0 != (Flags & CleanupDelete) && null != FileName && FileName.EndsWith("throw-on-delete"))
                throw new IOException("test: an exception in a Cleanup that deletes");
            base.Cleanup(FileNode, FileDesc, FileName, Flags);
        }
        public override void Close(Object FileNode, Object FileDesc)
        {
            base.Close(FileNode, FileDesc);
            if (ThrowOnClose)
            {
                System.Threading.Interlocked.Increment(ref CloseThrown);
                throw new IOException("test: an exception in Close");
            }
        }
        public override Int32 ExceptionHandler(Exception ex)
        {
            if (ex is UnauthorizedAccessException)
                return STATUS_ACCESS_DENIED;
            if (ex is FormatException)
                throw new ApplicationException("test: the handler fails");
            if (ex is IOException || ex is InvalidOperationException)
                return STATUS_UNEXPECTED_IO_ERROR; /* quietly: these are expected here */
            return base.ExceptionHandler(ex);
        }
    }

    static class Program
    {
        static int Passed, Failed;

        static void Check(Boolean ok, String what)
        {
            if (ok)
                Passed++;
            else
                Failed++;
            Console.WriteLine("{0}... {1}", what, ok ? "OK" : "FAIL");
        }

        static unsafe void Layouts()
        {
            Check(920 == Marshal.SizeOf(typeof(VolumeParams)), "FSP_FSCTL_VOLUME_PARAMS is 920 bytes");
            Check(36 == (int)Marshal.OffsetOf(typeof(VolumeParams), "Flags"), "VolumeParams flags at 36");
            Check(40 == (int)Marshal.OffsetOf(typeof(VolumeParams), "Prefix"), "VolumeParams.Prefix at 40");
            Check(808 == (int)Marshal.OffsetOf(typeof(VolumeParams), "FileSystemName"), "VolumeParams.FileSystemName at 808");
            Check(872 == (int)Marshal.OffsetOf(typeof(VolumeParams), "AdditionalFlags"), "VolumeParams V1 flags at 872");
            Check(876 == (int)Marshal.OffsetOf(typeof(VolumeParams), "VolumeInfoTimeout"), "VolumeParams.VolumeInfoTimeout at 876");
            Check(152 == sizeof(VolumeInfo), "FSP_FSCTL_VOLUME_INFO is 152 bytes");
            Check(20 == (int)Marshal.OffsetOf(typeof(VolumeInfo), "VolumeLabel"), "VolumeInfo.VolumeLabel at 20");
            Check(72 == sizeof(FileInfo), "FSP_FSCTL_FILE_INFO is 72 bytes");
            Check(104 == sizeof(DirInfo), "FSP_FSCTL_DIR_INFO is 104 bytes");
            Check(24 == sizeof(StreamInfo), "FSP_FSCTL_STREAM_INFO is 24 bytes");
            Check(12 == sizeof(NotifyInfoInternal), "FSP_FSCTL_NOTIFY_INFO is 12 bytes");
            Check(176 == sizeof(TransactRsp), "FSP_FSCTL_TRANSACT_RSP is 176 bytes");
            Check(24 == (int)Marshal.OffsetOf(typeof(TransactRsp), "FileInfo"), "TransactRsp.Rsp.Write.FileInfo at 24");
            Check(NativeOffsets.ResponseStatus == (int)Marshal.OffsetOf(typeof(TransactRsp), "Status"),
                "TransactRsp.IoStatus.Status at " + NativeOffsets.ResponseStatus);
            Check(16 == sizeof(NativeIoStatusBlock), "IO_STATUS_BLOCK is 16 bytes");
            FileInfo fi = default(FileInfo);
            fi.EaSize = 0x12345678;
            Check(0x12345678 == *(UInt32 *)((byte *)&fi + 68), "FileInfo.EaSize at 68");
        }

        static unsafe void Strings()
        {
            String[] samples =
            {
                "", "plain", "\u00e9t\u00e9 \u65e5\u672c\u8a9e \u0436", "\U0001D11E clef \U0001F600 smile",
                "\uDC80\uDCFF bytes", "\uF02A mapped", new String('x', 600) + "\U0001F600",
            };
            foreach (String s in samples)
            {
                IntPtr p = Utf32.Alloc(s);
                String back = Utf32.Decode(p);
                int n = Utf32.Length(p);
                Utf32.Free(p);
                Check(s == back && n == Utf32.EncodedLength(s),
                    "UTF-32 round trip of " + (s.Length > 40 ? s.Length + " characters" : "\"" + Escape(s) + "\""));
            }
            IntPtr q = Utf32.Alloc("\U0001F600");
            Check(0x1F600 == *(UInt32 *)q && 0 == ((UInt32 *)q)[1], "an astral character is one UTF-32 value");
            Utf32.Free(q);
            UInt32 *bad = stackalloc UInt32[2];
            bad[0] = 0x110000;
            bad[1] = 0;
            Check("\uFFFD" == Utf32.Decode((IntPtr)bad), "a value above U+10FFFF decodes as U+FFFD");
            VolumeInfo vi = default(VolumeInfo);
            vi.SetVolumeLabel(new String('L', 40));
            Check(32 == vi.GetVolumeLabel().Length && 128 == vi.VolumeLabelLength, "the volume label is cut to 32 characters (4 bytes each)");
            /* EA names: UTF-8 bytes, bytes that are not UTF-8 kept as U+DC80..U+DCFF */
            Byte[] name = FileSystemBase.EaNameEncode("user.\u00e9\U0001F600");
            Check(5 + 2 + 4 == name.Length, "an EA name is encoded as UTF-8");
            fixed (byte *b = name)
                Check("user.\u00e9\U0001F600" == FileSystemBase.EaNameDecode(b, name.Length), "an EA name round-trips");
            Byte[] raw = { (byte)'u', (byte)'.', 0xff };
            fixed (byte *b = raw)
            {
                String d = FileSystemBase.EaNameDecode(b, raw.Length);
                Byte[] again = FileSystemBase.EaNameEncode(d);
                Check(3 == again.Length && 0xff == again[2], "an EA name that is not UTF-8 round-trips");
            }
        }

        static String Escape(String s)
        {
            StringBuilder b = new StringBuilder();
            foreach (char c in s)
                b.Append(c < 0x80 ? c.ToString() : String.Format("\\u{0:x4}", (int)c));
            return b.ToString();
        }

        static void Security()
        {
            String sddl = "O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD)";
            Byte[] sd = FileSystemBase.SecurityDescriptorFromString(sddl);
            Check(null != sd && FileSystemBase.IsValidSecurityDescriptor(sd), "SDDL to a valid security descriptor");
            Check(sddl == FileSystemBase.SecurityDescriptorToString(sd), "security descriptor back to the same SDDL");
            Check(null == FileSystemBase.SecurityDescriptorFromString("O:nonsense"), "bad SDDL gives null");
            Check(!FileSystemBase.IsValidSecurityDescriptor(new Byte[] { 1, 0, 4, 0x80 }), "a truncated descriptor is invalid");
            Byte[] posix = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(1000, 1001, 0x1ec /* 0754 */);
            UInt32 uid, gid, mode;
            Int32 r = FileSystemBase.PosixMapSecurityDescriptorToPermissions(posix, out uid, out gid, out mode);
            Check(0 == r && 1000 == uid && 1001 == gid && 0x1ec == mode, "uid, gid and mode round-trip through a descriptor");
            Byte[] mod = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(2000, 1001, 0x1c0 /* 0700 */);
            Byte[] modified = null;
            r = FileSystemBase.ModifySecurityDescriptorEx(posix, AccessControlSections.Owner, mod, ref modified);
            FileSystemBase.PosixMapSecurityDescriptorToPermissions(modified, out uid, out gid, out mode);
            Check(0 == r && 2000 == uid && 1001 == gid, "ModifySecurityDescriptorEx replaces only the owner");
            mod = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(1000, 1001, 0x1c0 /* 0700 */);
            r = FileSystemBase.ModifySecurityDescriptorEx(posix, AccessControlSections.Access, mod, ref modified);
            FileSystemBase.PosixMapSecurityDescriptorToPermissions(modified, out uid, out gid, out mode);
            Check(0 == r && 1000 == uid && 0x1c0 == (mode & 0x1ff), "ModifySecurityDescriptorEx replaces only the DACL");
            Byte[] untouched = null;
            r = FileSystemBase.ModifySecurityDescriptorEx(posix, AccessControlSections.Owner, new Byte[8], ref untouched);
            Check(0 > r && null == untouched, "an invalid modification fails and leaves the result unset");
            Check(FileSystemBase.STATUS_OBJECT_NAME_NOT_FOUND == FileSystemBase.NtStatusFromErrno(2), "errno ENOENT to NTSTATUS");
            Check(13 == FileSystemBase.ErrnoFromNtStatus(FileSystemBase.STATUS_ACCESS_DENIED), "STATUS_ACCESS_DENIED to EACCES");
            Check(FileSystemBase.STATUS_OBJECT_NAME_NOT_FOUND == FileSystemBase.NtStatusFromWin32(2) &&
                2 == FileSystemBase.Win32FromNtStatus(FileSystemBase.STATUS_OBJECT_NAME_NOT_FOUND),
                "Win32 ERROR_FILE_NOT_FOUND <-> STATUS_OBJECT_NAME_NOT_FOUND");
        }

        /* Run a shell script in another process; its standard output (UTF-8). */
        internal static String Sh(String Script)
        {
            System.Diagnostics.ProcessStartInfo si = new System.Diagnostics.ProcessStartInfo("/bin/sh");
            si.Arguments = "-c \"" + Script.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            si.UseShellExecute = false;
            si.RedirectStandardOutput = true;
            si.StandardOutputEncoding = new UTF8Encoding(false);
            using (System.Diagnostics.Process p = System.Diagnostics.Process.Start(si))
            {
                String o = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                return o;
            }
        }
        static String[] Sorted(String[] a)
        {
            Array.Sort(a, StringComparer.Ordinal);
            return a;
        }

        static void Mounted(String Dir, UInt32 SlowPercent)
        {
            String tag = 0 < SlowPercent ? " (every Read/Write/ReadDirectory pending)" : "";
            Byte[] root = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(0, 0, 0x1ed);
            ThrowingMemfs fs = new ThrowingMemfs(root, SlowPercent);
            FileSystemHost host = new FileSystemHost(fs);
            Int32 r = host.Mount(Dir);
            Check(0 == r, "mount at " + Dir + tag);
            if (0 != r)
                return;
            try
            {
                Check(Dir == host.MountPoint(), "MountPoint() is the directory");
                /* The file operations run in other processes: a Mono process must not use its own
                 * mount (a thread blocked in the kernel on it cannot stop for the GC, and the GC
                 * then holds the threads that would answer; doc/dotnet.md). */
                String names = "ascii.txt \u00e9t\u00e9.txt \u65e5\u672c\u8a9e \U0001D11E\U0001F600.bin mixed-\u0436-\U00020000";
                String o = Sh("cd '" + Dir + "' && for n in " + names + "; do printf %s \"$n\" > \"$n\"; done && " +
                    "for n in " + names + "; do [ \"$(cat \"$n\")\" = \"$n\" ] || echo bad; done; ls -1 | sort");
                Check(String.Join("\n", Sorted(names.Split(' '))) + "\n" == o,
                    "non-ASCII and astral-plane names through the mount" + tag);
                o = Sh("cd '" + Dir + "' && mkdir big && for i in $(seq 1500); do : > \"big/entry-$i-\U0001F600\"; done && ls big | wc -l");
                Check("1500" == o.Trim(), "a directory of 1500 entries lists whole" + tag);
                /* GetOperationCaller reads the request at fixed offsets (NativeOffsets): they must
                 * be the C layout's (the caller's pid seen both ways, its uid and gid) */
                /* (root with another group: the caller keeps its way to Dir, which may be in a private
                 * TMPDIR, and the uid's neighbours, gid and pid, show the offset) */
                Sh("setpriv --regid=8765 --clear-groups stat '" + Dir + "/caller-probe' 2>/dev/null");
                String probe = fs.CallerProbe;
                String[] pp = null == probe ? new String[0] : probe.Split(' ');
                Check(5 == pp.Length && "True" == pp[0] && "0:8765" == pp[1] && "0" != pp[3] && pp[3] == pp[4],
                    "GetOperationCaller: the caller's uid and gid; CallerPid where the C layer has it (" + probe + ")" + tag);
                String tmp = Dir + ".data";
                o = Sh("head -c 3145728 /dev/urandom > '" + tmp + "' && cp '" + tmp + "' '" + Dir + "/data' && cmp '" + tmp +
                    "' '" + Dir + "/data' && echo same; rm -f '" + tmp + "'");
                Check("same" == o.Trim(), "3 MiB written and read back" + tag);
                o = Sh("stat '" + Dir + "/throw-io' 2>&1");
                Check(o.Contains("Input/output error"), o.Trim() + ": an exception gives STATUS_UNEXPECTED_IO_ERROR (EIO)");
                o = Sh("stat '" + Dir + "/throw-denied' 2>&1");
                Check(o.Contains("Permission denied"), "ExceptionHandler maps an exception to STATUS_ACCESS_DENIED (EACCES)");
                o = Sh("stat '" + Dir + "/throw-twice' 2>&1");
                Check(o.Contains("Input/output error"), "an ExceptionHandler that throws gives EIO");
                fs.ThrowOnClose = true;
                Sh("cd '" + Dir + "' && for i in $(seq 20); do cat ascii.txt > /dev/null; done; rm ascii.txt");
                fs.ThrowOnClose = false;
                o = Sh("cd '" + Dir + "' && ls ascii.txt 2>/dev/null; cat \u00e9t\u00e9.txt");
                Check(0 < fs.CloseThrown && "\u00e9t\u00e9.txt" == o, "a Close that throws leaves the file system working");
                o = Sh("cd '" + Dir + "' && chmod 640 \u65e5\u672c\u8a9e && chown 1234:5678 \u65e5\u672c\u8a9e && " +
                    "stat -c '%u %g %a' \u65e5\u672c\u8a9e");
                Check("1234 5678 640" == o.Trim(), "chmod and chown round-trip through SetSecurity");
                /* The caller a callback sees is the process that made the request (its fsuid and
                 * fsgid, read from the native request: a wrong offset there once made every
                 * caller root). A user other than root, from inside the mount (cwd: the mount
                 * point's ancestors may be closed to that user). */
                fs.WhoAmI = "";
                o = Sh("cd '" + Dir + "' && setpriv --reuid=1234 --regid=5678 --clear-groups stat whoami >/dev/null 2>&1; :");
                Check("True 1234 5678" == fs.WhoAmI,
                    "GetOperationCaller in a callback gives the caller's uid and gid (" + fs.WhoAmI + ")");
                UInt32 u0, g0;
                Check(!FileSystemBase.GetOperationCaller(out u0, out g0), "  ... and false outside a callback");
                o = Sh("cd '" + Dir + "' && touch refuse-delete throw-on-delete && mkdir d && touch d/f; " +
                    "rm refuse-delete 2>&1; rm throw-on-delete 2>&1; rmdir d 2>&1; ls");
                Check(o.Contains("refuse-delete': Permission denied") && o.Contains("throw-on-delete': Input/output error") &&
                    o.Contains("not empty") && o.Contains("\nrefuse-delete\n") && o.Contains("\nthrow-on-delete\n"),
                    "deletes that fail in Cleanup: reported (EACCES), thrown (EIO), a directory not empty; the names stay");
            }
            catch (Exception ex)
            {
                Check(false, "no exception in the mounted tests: " + ex);
            }
            finally
            {
                host.Unmount();
            }
            Check(null == host.MountPoint(), "unmounted" + tag);
            Check(0 == Directory.GetFileSystemEntries(Dir).Length, "the directory is empty again after the unmount");
        }

        /* Two hosts mounted at once in one process (WinFsp issue #242: a second host failed to mount). */
        static void TwoHosts(String Dir1, String Dir2)
        {
            Byte[] root = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(0, 0, 0x1ed);
            FileSystemHost h1 = new FileSystemHost(new ThrowingMemfs(root, 0));
            FileSystemHost h2 = new FileSystemHost(new ThrowingMemfs(root, 0));
            Int32 r1 = h1.Mount(Dir1), r2 = h2.Mount(Dir2);
            try
            {
                Check(0 == r1 && 0 == r2, "two hosts mounted at once in one process");
                if (0 == r1 && 0 == r2)
                {
                    String o = Sh("echo one > '" + Dir1 + "/f' && echo two > '" + Dir2 + "/f' && cat '" + Dir1 + "/f' '" +
                        Dir2 + "/f'");
                    Check("one\ntwo\n" == o, "  ... each serves its own files");
                }
            }
            finally
            {
                h1.Unmount();
                h2.Unmount();
            }
            Check(null == h1.MountPoint() && null == h2.MountPoint() && 0 == Directory.GetFileSystemEntries(Dir1).Length &&
                0 == Directory.GetFileSystemEntries(Dir2).Length, "  ... and both unmount");
        }

        /* FileSystemHost.Notify reaches the kernel: with names cached for ever, a stat of a known name
         * asks the file system nothing, until a notification drops the name from the kernel's cache. */
        static void Notify(String Dir)
        {
            Byte[] root = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(0, 0, 0x1ed);
            ThrowingMemfs fs = new ThrowingMemfs(root, 0, UInt32.MaxValue);
            FileSystemHost host = new FileSystemHost(fs);
            if (0 != host.Mount(Dir))
            {
                Check(false, "mount with FileInfoTimeout -1");
                return;
            }
            /* The kernel drops cached names nothing holds when it reclaims memory (and then looks
             * them up again): a process holds the file open (started and waited for here, so that
             * its Open is counted before "before"). */
            String held = Dir + ".held", holder = "";
            try
            {
                holder = Sh("rm -f '" + held + "'; touch '" + Dir + "/notify-me' && " +
                    "{ (exec 3< '" + Dir + "/notify-me' && : > '" + held + "' && exec sleep 300) </dev/null >/dev/null 2>&1 & echo $!; } && " +
                    "for i in $(seq 600); do [ -e '" + held + "' ] && break; sleep 0.05; done; " +
                    "stat '" + Dir + "/notify-me' > /dev/null").Trim();
                int before = fs.NotifyMeLookups;
                Sh("stat '" + Dir + "/notify-me' > /dev/null");
                Check(before == fs.NotifyMeLookups, "a cached name is not looked up again");
                Int32 r = host.NotifyBegin(500);
                if (0 <= r)
                {
                    NotifyInfo n = new NotifyInfo();
                    n.FileName = "\\notify-me";
                    n.Action = NotifyAction.Modified;
                    n.Filter = NotifyFilter.ChangeLastWrite | NotifyFilter.ChangeSize;
                    NotifyInfo m = n;
                    m.FileName = "\\gone";
                    m.Action = NotifyAction.Removed;
                    m.Filter = NotifyFilter.ChangeFileName;
                    r = host.Notify(new NotifyInfo[] { n, m });
                    host.NotifyEnd();
                }
                Check(0 <= r, "NotifyBegin, Notify of two names, NotifyEnd");
                Sh("stat '" + Dir + "/notify-me' > /dev/null");
                Check(before < fs.NotifyMeLookups, "after Notify the kernel asks the file system again");
            }
            finally
            {
                if (0 < holder.Length)
                    Sh("kill " + holder + "; for i in $(seq 100); do kill -0 " + holder +
                        " 2>/dev/null || break; sleep 0.05; done");
                Sh("rm -f '" + held + "'");
                host.Unmount();
            }
        }

        static int Main(String[] args)
        {
            Layouts();
            Strings();
            Security();
            ApiSurface.Run(Check);
            if (0 == Syscall.getuid() && File.Exists("/dev/fuse"))
            {
                String dir = Path.Combine(Path.GetTempPath(), "test-dotnet." + Syscall.getpid());
                Directory.CreateDirectory(dir);
                try
                {
                    PassthroughNames.Run(dir, Check);
                    Mounted(dir, 0);
                    Mounted(dir, 100);
                    Directory.CreateDirectory(dir + ".2");
                    try
                    {
                        TwoHosts(dir, dir + ".2");
                        Notify(dir);
                    }
                    finally
                    {
                        Directory.Delete(dir + ".2");
                    }
                }
                finally
                {
                    Directory.Delete(dir);
                }
            }
            else
                Console.WriteLine("mount tests skipped: not root or no /dev/fuse");
            Console.WriteLine("{0} passed, {1} failed", Passed, Failed);
            return 0 == Failed ? 0 : 1;
        }
    }
}
