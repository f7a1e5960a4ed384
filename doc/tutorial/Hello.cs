/*
 * doc/tutorial/Hello.cs - the tutorial's file system in C# (doc/tutorial-dotnet.md): one directory
 * (the root) and one read-only file, hello.txt, that says "Hello, world!".
 *
 *   mcs -unsafe $(pkg-config --libs linfsp-net) -r:Mono.Posix.dll Hello.cs
 *   mono Hello.exe -m /tmp/mnt         (serves until SIGINT or SIGTERM, then unmounts)
 */
using System;
using System.Runtime.InteropServices;
using System.Text;
using Fsp;
using VolumeInfo = Fsp.Interop.VolumeInfo;
using FileInfo = Fsp.Interop.FileInfo;

namespace Hello
{
    /* A node of the file system; the open file's FileNode is the node itself. */
    class Node
    {
        internal String Name;         /* full path, "\" for the root */
        internal UInt32 Attributes;
        internal UInt64 IndexNumber;
        internal UInt32 Mode;         /* POSIX permission bits, turned into a security descriptor */
    }

    class HelloFs : FileSystemBase
    {
        private static readonly Byte[] Contents = Encoding.UTF8.GetBytes("Hello, world!\n");
        private readonly Node Root = new Node { Name = "\\",
            Attributes = (UInt32)System.IO.FileAttributes.Directory, IndexNumber = 1, Mode = 0x16d /* 0555 */ };
        private readonly Node File = new Node { Name = "\\hello.txt",
            Attributes = (UInt32)System.IO.FileAttributes.ReadOnly, IndexNumber = 2, Mode = 0x124 /* 0444 */ };
        private readonly UInt64 StartTime = (UInt64)DateTime.UtcNow.ToFileTimeUtc();
        private readonly UInt32 Uid = Mono.Unix.Native.Syscall.geteuid(), Gid = Mono.Unix.Native.Syscall.getegid();

        private Node Find(String FileName)
        {
            return Root.Name == FileName ? Root : File.Name == FileName ? File : null;
        }
        private void Fill(Node Node, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            FileInfo.FileAttributes = Node.Attributes;
            FileInfo.IndexNumber = Node.IndexNumber;                    /* becomes st_ino */
            if (File == Node)
            {
                FileInfo.FileSize = (UInt64)Contents.Length;
                FileInfo.AllocationSize = 4096;
            }
            FileInfo.CreationTime = FileInfo.LastAccessTime = StartTime;
            FileInfo.LastWriteTime = FileInfo.ChangeTime = StartTime;
        }

        /* The volume: set in Init, before FileSystemHost mounts. */
        public override Int32 Init(Object Host0)
        {
            FileSystemHost Host = (FileSystemHost)Host0;
            Host.SectorSize = 512;
            Host.SectorsPerAllocationUnit = 8;
            Host.MaxComponentLength = 255;
            Host.VolumeCreationTime = StartTime;
            Host.FileInfoTimeout = 1000;
            Host.CaseSensitiveSearch = true;
            Host.CasePreservedNames = true;
            Host.UnicodeOnDisk = true;
            Host.PersistentAcls = true;
            Host.ReadOnlyVolume = true;                  /* LinFsp: mounted read-only (EROFS) */
            Host.FileSystemName = "hello";               /* mount type fuse.hello */
            return STATUS_SUCCESS;
        }

        public override Int32 GetVolumeInfo(out VolumeInfo VolumeInfo)
        {
            VolumeInfo = default(VolumeInfo);
            VolumeInfo.TotalSize = 1024 * 1024;
            VolumeInfo.FreeSize = 0;
            VolumeInfo.SetVolumeLabel("HELLO");
            return STATUS_SUCCESS;
        }

        /* Owner, group and mode, as LinFsp shows them: from a security descriptor. */
        public override Int32 GetSecurityByName(String FileName, out UInt32 FileAttributes,
            ref Byte[] SecurityDescriptor)
        {
            Node Node = Find(FileName);
            FileAttributes = 0;
            if (null == Node)
                return STATUS_OBJECT_NAME_NOT_FOUND;
            FileAttributes = Node.Attributes;
            if (null != SecurityDescriptor)
                SecurityDescriptor = PosixMapPermissionsToSecurityDescriptor(Uid, Gid, Node.Mode);
            return STATUS_SUCCESS;
        }
        public override Int32 GetSecurity(Object FileNode, Object FileDesc, ref Byte[] SecurityDescriptor)
        {
            SecurityDescriptor = PosixMapPermissionsToSecurityDescriptor(Uid, Gid, ((Node)FileNode).Mode);
            return STATUS_SUCCESS;
        }

        public override Int32 Open(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            out Object FileNode, out Object FileDesc, out FileInfo FileInfo, out String NormalizedName)
        {
            Node Node = Find(FileName);
            FileNode = Node;
            FileDesc = null;
            NormalizedName = null;
            if (null == Node)
            {
                FileInfo = default(FileInfo);
                return STATUS_OBJECT_NAME_NOT_FOUND;
            }
            Fill(Node, out FileInfo);
            return STATUS_SUCCESS;
        }
        public override Int32 GetFileInfo(Object FileNode, Object FileDesc, out FileInfo FileInfo)
        {
            Fill((Node)FileNode, out FileInfo);
            return STATUS_SUCCESS;
        }

        public override Int32 Read(Object FileNode, Object FileDesc, IntPtr Buffer, UInt64 Offset,
            UInt32 Length, out UInt32 BytesTransferred)
        {
            BytesTransferred = 0;
            if (File != FileNode)
                return STATUS_INVALID_DEVICE_REQUEST;
            if (Offset >= (UInt64)Contents.Length)
                return STATUS_END_OF_FILE;
            BytesTransferred = (UInt32)Math.Min(Length, (UInt64)Contents.Length - Offset);
            Marshal.Copy(Contents, (int)Offset, Buffer, (int)BytesTransferred);
            return STATUS_SUCCESS;
        }

        /* One entry per call; names after Marker only, in a stable order. */
        public override Boolean ReadDirectoryEntry(Object FileNode, Object FileDesc, String Pattern,
            String Marker, ref Object Context, out String FileName, out FileInfo FileInfo)
        {
            FileName = null;
            FileInfo = default(FileInfo);
            if (Root != FileNode || null != Context)
                return false;
            Context = File;
            if (null != Marker && 0 <= String.CompareOrdinal(Marker, "hello.txt"))
                return false;
            FileName = "hello.txt";
            Fill(File, out FileInfo);
            return true;
        }
    }

    class HelloService : Service
    {
        private FileSystemHost Host;

        public HelloService() : base("hello")
        {
        }

        /* Args[0] is the service name; "-m MOUNTPOINT" follows. */
        protected override void OnStart(String[] Args)
        {
            if (3 != Args.Length || "-m" != Args[1])
            {
                Log(EVENTLOG_ERROR_TYPE, "usage: hello -m MOUNTPOINT");
                ExitCode = 2;
                throw new ArgumentException("usage");
            }
            Host = new FileSystemHost(new HelloFs());
            Int32 Result = Host.Mount(Args[2]);
            if (0 > Result)
            {
                Log(EVENTLOG_ERROR_TYPE, String.Format("cannot mount {0}: status 0x{1:X8}", Args[2], Result));
                ExitCode = 1;
                throw new InvalidOperationException("mount failed");
            }
        }
        protected override void OnStop()
        {
            Host.Unmount();
            Host = null;
        }

        static void Main()
        {
            Environment.ExitCode = new HelloService().Run();
        }
    }
}
