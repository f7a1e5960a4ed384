/*
 * dotnet/memfs-dotnet/Program.cs - memfs in C#: an in-memory file system on LinFsp's .NET layer,
 * with WinFsp memfs-dotnet's command line. `mono memfs-dotnet.exe -m DIR` serves until SIGINT or
 * SIGTERM, then unmounts and exits 0.
 *
 * Names live in directories (SortedList per directory), apart from the files they name, so a file
 * can have several names (hard links); file data is kept in 4 KiB pages (sparse). One lock guards
 * the tree and every node: simple, and the measure of what the managed layer costs is not
 * blurred by a clever file system.
 */
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Threading;
using Fsp;
using VolumeInfo = Fsp.Interop.VolumeInfo;
using FileInfo = Fsp.Interop.FileInfo;
using FileAttributes = System.IO.FileAttributes;

namespace Memfs
{
    class FileNode
    {
        internal FileInfo Info;
        internal Byte[] Security;
        internal Byte[][] Pages = new Byte[0][];
        internal UInt64 AllocatedPages;
        internal Byte[] ReparseData;
        internal SortedDictionary<String, EaEntry> Eas;
        internal SortedList<String, FileNode> Children; /* directories */
        internal FileNode Parent;                        /* directories: where their one name is */
        internal int Subdirs;
        internal int Links;
        internal int Opens;
        internal Boolean IsDirectory
        {
            get { return 0 != (Info.FileAttributes & (UInt32)FileAttributes.Directory); }
        }
    }

    class EaEntry
    {
        internal Byte[] Value;
        internal Boolean NeedEa;
    }

    class Memfs : FileSystemBase
    {
        internal const int PageSize = 4096;
        internal const UInt32 ControlRot13 = 0xC0404D52; /* _IOWR('M', 'R', char[64]), as memfs's */

        private readonly Object Lock = new Object();
        private readonly FileNode Root;
        private readonly StringComparer Comparer;
        private readonly Boolean CaseInsensitive;
        private readonly UInt32 FileInfoTimeoutMs;
        private readonly UInt64 MaxFileNodes, MaxFileSize;
        private readonly String Prefix, FsName;
        private readonly UInt32 SlowioMaxDelay, SlowioPercentDelay, SlowioRarefyDelay;
        private readonly Random SlowRandom = new Random();
        private int SlowPending;
        private UInt64 NodeCount, UsedPages, NextIndex = 1;
        private String Label = "";
        private FileSystemHost Host;

        public Memfs(Boolean CaseInsensitive, UInt64 MaxFileNodes, UInt64 MaxFileSize, UInt32 FileInfoTimeout,
            String Prefix, String FsName, Byte[] RootSecurity, UInt32 SlowioMaxDelay, UInt32 SlowioPercentDelay,
            UInt32 SlowioRarefyDelay)
        {
            this.CaseInsensitive = CaseInsensitive;
            this.Comparer = CaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
            this.MaxFileNodes = MaxFileNodes;
            this.MaxFileSize = MaxFileSize;
            this.FileInfoTimeoutMs = FileInfoTimeout;
            this.Prefix = Prefix;
            this.FsName = FsName;
            this.SlowioMaxDelay = SlowioMaxDelay;
            this.SlowioPercentDelay = SlowioPercentDelay;
            this.SlowioRarefyDelay = SlowioRarefyDelay;
            Root = NewNode((UInt32)FileAttributes.Directory, RootSecurity);
            Root.Links = 1;
        }

        private static UInt64 Now()
        {
            return (UInt64)DateTime.UtcNow.ToFileTimeUtc();
        }

        private FileNode NewNode(UInt32 Attributes, Byte[] Security)
        {
            FileNode n = new FileNode();
            UInt64 now = Now();
            n.Info.FileAttributes = Attributes;
            n.Info.CreationTime = n.Info.LastAccessTime = n.Info.LastWriteTime = n.Info.ChangeTime = now;
            n.Info.IndexNumber = NextIndex++;
            n.Security = Security;
            if (n.IsDirectory)
                n.Children = new SortedList<String, FileNode>(Comparer);
            NodeCount++;
            return n;
        }

        private FileInfo InfoOf(FileNode n)
        {
            FileInfo i = n.Info;
            i.HardLinks = n.IsDirectory ? (0 < n.Links ? 2 + (UInt32)n.Subdirs : 0) : (UInt32)n.Links;
            i.AllocationSize = n.AllocatedPages * PageSize;
            return i;
        }

        /* "\a\b\c" -> the directory of "c" and "c"; null name for the root. */
        private Int32 Split(String Path, out FileNode Parent, out String Name)
        {
            Parent = null;
            Name = null;
            if (null == Path || 0 == Path.Length || '\\' != Path[0])
                return STATUS_OBJECT_NAME_INVALID;
            String p = Path.TrimEnd('\\');
            if (0 == p.Length)
                return STATUS_SUCCESS;
            String[] parts = p.Substring(1).Split('\\');
            FileNode dir = Root;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                FileNode next;
                if (!dir.Children.TryGetValue(parts[i], out next) || !next.IsDirectory)
                    return STATUS_OBJECT_PATH_NOT_FOUND;
                dir = next;
            }
            Name = parts[parts.Length - 1];
            if (0 == Name.Length || 255 < Name.Length || 0 <= Name.IndexOf(':'))
                return STATUS_OBJECT_NAME_INVALID;
            Parent = dir;
            return STATUS_SUCCESS;
        }

        private Int32 Lookup(String Path, out FileNode Node)
        {
            FileNode parent;
            String name;
            Node = null;
            Int32 r = Split(Path, out parent, out name);
            if (0 > r)
                return r;
            if (null == name)
            {
                Node = Root;
                return STATUS_SUCCESS;
            }
            return parent.Children.TryGetValue(name, out Node) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
        }

        /* ---- lifecycle ---- */

        public override Int32 Init(Object Host0)
        {
            Host = (FileSystemHost)Host0;
            Host.SectorSize = 512;
            Host.SectorsPerAllocationUnit = PageSize / 512;
            Host.MaxComponentLength = 255;
            Host.VolumeCreationTime = Root.Info.CreationTime;
            Host.VolumeSerialNumber = (UInt32)(Root.Info.CreationTime / (10000 * 1000));
            Host.FileInfoTimeout = FileInfoTimeoutMs;
            Host.CaseSensitiveSearch = !CaseInsensitive;
            Host.CasePreservedNames = true;
            Host.UnicodeOnDisk = true;
            Host.PersistentAcls = true;
            Host.ReparsePoints = true;
            Host.HardLinks = true;
            Host.ExtendedAttributes = true;
            Host.CasePreservedExtendedAttributes = true;
            Host.PostCleanupWhenModifiedOnly = true;
            Host.PassQueryDirectoryFileName = true;
            Host.DeviceControl = true;
            Host.SupportsPosixUnlinkRename = true;
            Host.PostDispositionWhenNecessaryOnly = true;
            if (null != Prefix)
                Host.Prefix = Prefix;
            Host.FileSystemName = FsName ?? "memfs-dotnet";
            return STATUS_SUCCESS;
        }

        public override void Unmounted(Object Host0)
        {
            /* slow operations still running complete into the engine first */
            lock (Lock)
                while (0 < SlowPending)
                    Monitor.Wait(Lock);
        }

        /* ---- volume ---- */

        public override Int32 GetVolumeInfo(out VolumeInfo VolumeInfo)
        {
            VolumeInfo = default(VolumeInfo);
            UInt64 total = MaxFileSize;
            if (0 < MaxFileNodes && total <= (1UL << 50) / MaxFileNodes)
                total = MaxFileSize * MaxFileNodes;
            if (total > 1UL << 50)
                total = 1UL << 50;
            lock (Lock)
            {
                UInt64 used = UsedPages * PageSize;
                VolumeInfo.TotalSize = total;
                VolumeInfo.FreeSize = used < total ? total - used : 0;
                VolumeInfo.SetVolumeLabel(Label);
            }
            return STATUS_SUCCESS;
        }

        public override Int32 SetVolumeLabel(String VolumeLabel, out VolumeInfo VolumeInfo)
        {
            lock (Lock)
                Label = VolumeLabel ?? "";
            return GetVolumeInfo(out VolumeInfo);
        }

        /* ---- names ---- */

        public override Int32 GetSecurityByName(String FileName, out UInt32 FileAttributes1,
            ref Byte[] SecurityDescriptor)
        {
            lock (Lock)
            {
                FileNode n;
                Int32 r = Lookup(FileName, out n);
                FileAttributes1 = 0 <= r ? n.Info.FileAttributes : 0;
                if (0 <= r && null != SecurityDescriptor)
                    SecurityDescriptor = n.Security;
                return r;
            }
        }

        public override Int32 CreateEx(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            UInt32 FileAttributes1, Byte[] SecurityDescriptor, UInt64 AllocationSize, IntPtr ExtraBuffer,
            UInt32 ExtraLength, Boolean ExtraBufferIsReparsePoint, out Object FileNode0, out Object FileDesc,
            out FileInfo FileInfo, out String NormalizedName)
        {
            FileNode0 = null;
            FileDesc = null;
            FileInfo = default(FileInfo);
            NormalizedName = null;
            Boolean isDir = 0 != (CreateOptions & FILE_DIRECTORY_FILE);
            lock (Lock)
            {
                FileNode parent;
                String name;
                Int32 r = Split(FileName, out parent, out name);
                if (0 > r)
                    return r;
                if (null == name || parent.Children.ContainsKey(name))
                    return STATUS_OBJECT_NAME_COLLISION;
                if (NodeCount >= MaxFileNodes)
                    return STATUS_CANNOT_MAKE;
                if (null == SecurityDescriptor)
                {
                    UInt32 uid, gid;
                    GetOperationCaller(out uid, out gid);
                    SecurityDescriptor = PosixMapPermissionsToSecurityDescriptor(uid, gid, isDir ? 0x1edu : 0x1a4u);
                }
                else if (!IsValidSecurityDescriptor(SecurityDescriptor))
                    return STATUS_INVALID_SECURITY_DESCR;
                UInt32 attrs = FileAttributes1 & ~(UInt32)FileAttributes.Normal;
                attrs = isDir ? attrs | (UInt32)FileAttributes.Directory : attrs & ~(UInt32)FileAttributes.Directory;
                FileNode n = NewNode(attrs, SecurityDescriptor);
                if (IntPtr.Zero != ExtraBuffer && 0 < ExtraLength)
                {
                    if (ExtraBufferIsReparsePoint)
                    {
                        if (8 > ExtraLength)
                        {
                            NodeCount--;
                            return STATUS_IO_REPARSE_DATA_INVALID;
                        }
                        n.ReparseData = MakeReparsePoint(ExtraBuffer, ExtraLength);
                        n.Info.FileAttributes |= (UInt32)FileAttributes.ReparsePoint;
                        n.Info.ReparseTag = GetReparseTag(n.ReparseData);
                    }
                    else
                    {
                        r = SetEaEntries(n, null, ExtraBuffer, ExtraLength);
                        if (0 > r)
                        {
                            NodeCount--;
                            return r;
                        }
                    }
                }
                parent.Children.Add(name, n);
                if (isDir)
                {
                    parent.Subdirs++;
                    n.Parent = parent;
                }
                n.Links = 1;
                n.Opens++;
                parent.Info.LastWriteTime = parent.Info.ChangeTime = n.Info.CreationTime;
                FileNode0 = n;
                FileInfo = InfoOf(n);
                return STATUS_SUCCESS;
            }
        }

        public override Int32 Open(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            out Object FileNode0, out Object FileDesc, out FileInfo FileInfo, out String NormalizedName)
        {
            FileNode0 = null;
            FileDesc = null;
            FileInfo = default(FileInfo);
            NormalizedName = null;
            lock (Lock)
            {
                FileNode n;
                Int32 r = Lookup(FileName, out n);
                if (0 > r)
                    return r;
                n.Opens++;
                FileNode0 = n;
                FileInfo = InfoOf(n);
                return STATUS_SUCCESS;
            }
        }

        public override Int32 OverwriteEx(Object FileNode0, Object FileDesc, UInt32 FileAttributes1,
            Boolean ReplaceFileAttributes, UInt64 AllocationSize, IntPtr Ea, UInt32 EaLength, out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                Truncate(n, 0);
                Int32 r = STATUS_SUCCESS;
                if (IntPtr.Zero != Ea)
                {
                    n.Eas = null;
                    n.Info.EaSize = 0;
                    r = SetEaEntries(n, null, Ea, EaLength);
                }
                UInt32 attrs = FileAttributes1 & ~(UInt32)(FileAttributes.Normal | FileAttributes.Directory);
                if (ReplaceFileAttributes)
                    n.Info.FileAttributes = attrs | (UInt32)FileAttributes.Archive |
                        (n.Info.FileAttributes & (UInt32)FileAttributes.ReparsePoint);
                else
                    n.Info.FileAttributes |= attrs | (UInt32)FileAttributes.Archive;
                n.Info.LastWriteTime = n.Info.ChangeTime = Now();
                FileInfo = InfoOf(n);
                return r;
            }
        }

        public override void Cleanup(Object FileNode0, Object FileDesc, String FileName, UInt32 Flags)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                if (0 != (Flags & CleanupDelete) && null != FileName)
                {
                    /* a directory that got an entry since CanDelete stays (LinFsp: reported) */
                    if (n.IsDirectory && 0 != n.Children.Count)
                        SetCleanupStatus(STATUS_DIRECTORY_NOT_EMPTY);
                    else
                        SetCleanupStatus(RemoveName(n, FileName) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND);
                    return;
                }
                UInt64 now = Now();
                if (0 != (Flags & CleanupSetArchiveBit) && !n.IsDirectory)
                    n.Info.FileAttributes |= (UInt32)FileAttributes.Archive;
                if (0 != (Flags & CleanupSetLastAccessTime))
                    n.Info.LastAccessTime = now;
                if (0 != (Flags & CleanupSetLastWriteTime))
                    n.Info.LastWriteTime = now;
                if (0 != (Flags & CleanupSetChangeTime))
                    n.Info.ChangeTime = now;
            }
        }

        /* Remove the name FileName of n (POSIX unlink: the file lives on while it is open); false
         * when the name is not n's (any more). */
        private Boolean RemoveName(FileNode n, String FileName)
        {
            FileNode parent, found;
            String name;
            if (0 > Split(FileName, out parent, out name) || null == name ||
                !parent.Children.TryGetValue(name, out found) || found != n)
                return false;
            parent.Children.Remove(name);
            if (n.IsDirectory)
            {
                parent.Subdirs--;
                n.Parent = null;
            }
            n.Links--;
            UInt64 now = Now();
            parent.Info.LastWriteTime = parent.Info.ChangeTime = now;
            n.Info.ChangeTime = now;
            ReleaseIfGone(n);
            return true;
        }

        private void ReleaseIfGone(FileNode n)
        {
            if (0 == n.Links && 0 == n.Opens && n != Root)
            {
                UsedPages -= n.AllocatedPages;
                n.AllocatedPages = 0;
                n.Pages = new Byte[0][];
                NodeCount--;
            }
        }

        public override void Close(Object FileNode0, Object FileDesc)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                n.Opens--;
                ReleaseIfGone(n);
            }
        }

        /* ---- data ---- */

        private void Truncate(FileNode n, UInt64 Size)
        {
            UInt64 keep = (Size + PageSize - 1) / PageSize;
            for (UInt64 p = keep; p < (UInt64)n.Pages.Length; p++)
                if (null != n.Pages[p])
                {
                    n.Pages[p] = null;
                    n.AllocatedPages--;
                    UsedPages--;
                }
            if (keep < (UInt64)n.Pages.Length)
                Array.Resize(ref n.Pages, (int)keep);
            if (0 != Size % PageSize && keep > 0 && null != n.Pages[keep - 1])
                Array.Clear(n.Pages[keep - 1], (int)(Size % PageSize), PageSize - (int)(Size % PageSize));
            n.Info.FileSize = Size;
        }

        private void ReadData(FileNode n, IntPtr Buffer, UInt64 Offset, UInt32 Length)
        {
            UInt32 done = 0;
            while (done < Length)
            {
                UInt64 page = (Offset + done) / PageSize;
                int at = (int)((Offset + done) % PageSize);
                int k = (int)Math.Min((UInt32)(PageSize - at), Length - done);
                Byte[] p = page < (UInt64)n.Pages.Length ? n.Pages[page] : null;
                IntPtr dst = (IntPtr)((Int64)Buffer + done);
                if (null != p)
                    Marshal.Copy(p, at, dst, k);
                else
                    Zero(dst, k);
                done += (UInt32)k;
            }
        }

        private static unsafe void Zero(IntPtr p, int n)
        {
            byte *b = (byte *)p;
            for (int i = 0; i < n; i++)
                b[i] = 0;
        }

        private Int32 WriteData(FileNode n, IntPtr Buffer, UInt64 Offset, UInt32 Length)
        {
            UInt64 lastPage = (Offset + Length + PageSize - 1) / PageSize;
            if (lastPage > (UInt64)n.Pages.Length)
            {
                if (lastPage > Int32.MaxValue)
                    return STATUS_DISK_FULL;
                Array.Resize(ref n.Pages, (int)lastPage);
            }
            UInt32 done = 0;
            while (done < Length)
            {
                UInt64 page = (Offset + done) / PageSize;
                int at = (int)((Offset + done) % PageSize);
                int k = (int)Math.Min((UInt32)(PageSize - at), Length - done);
                if (null == n.Pages[page])
                {
                    n.Pages[page] = new Byte[PageSize];
                    n.AllocatedPages++;
                    UsedPages++;
                }
                Marshal.Copy((IntPtr)((Int64)Buffer + done), n.Pages[page], at, k);
                done += (UInt32)k;
            }
            return STATUS_SUCCESS;
        }

        private Boolean SlowNow()
        {
            if (0 == SlowioPercentDelay)
                return false;
            lock (SlowRandom)
                return SlowRandom.Next(100) < SlowioPercentDelay;
        }

        /* Slow I/O: complete the operation later from a thread-pool thread (STATUS_PENDING). */
        private Int32 Later(Func<Int32> Work, Action<Int32> Complete)
        {
            int delay;
            lock (SlowRandom)
                delay = SlowRandom.Next(100) < SlowioRarefyDelay ? SlowRandom.Next((int)SlowioMaxDelay + 1) : 0;
            lock (Lock)
                SlowPending++;
            ThreadPool.QueueUserWorkItem(delegate
            {
                try
                {
                    if (0 < delay)
                        Thread.Sleep(delay);
                    Int32 r;
                    try
                    {
                        r = Work();
                    }
                    catch (Exception ex)
                    {
                        r = ExceptionHandler(ex);
                    }
                    Complete(r);
                }
                finally
                {
                    lock (Lock)
                    {
                        SlowPending--;
                        Monitor.PulseAll(Lock);
                    }
                }
            });
            return STATUS_PENDING;
        }

        public override Int32 Read(Object FileNode0, Object FileDesc, IntPtr Buffer, UInt64 Offset, UInt32 Length,
            out UInt32 BytesTransferred)
        {
            FileNode n = (FileNode)FileNode0;
            if (SlowNow())
            {
                UInt64 hint = Host.GetOperationRequestHint();
                UInt32 bytes = 0;
                BytesTransferred = 0;
                return Later(() => DoRead(n, Buffer, Offset, Length, out bytes),
                    r => Host.SendReadResponse(hint, r, bytes));
            }
            return DoRead(n, Buffer, Offset, Length, out BytesTransferred);
        }

        private Int32 DoRead(FileNode n, IntPtr Buffer, UInt64 Offset, UInt32 Length, out UInt32 BytesTransferred)
        {
            lock (Lock)
            {
                if (Offset >= n.Info.FileSize)
                {
                    BytesTransferred = 0;
                    return STATUS_END_OF_FILE;
                }
                UInt64 avail = n.Info.FileSize - Offset;
                BytesTransferred = avail < Length ? (UInt32)avail : Length;
                ReadData(n, Buffer, Offset, BytesTransferred);
                return STATUS_SUCCESS;
            }
        }

        public override Int32 Write(Object FileNode0, Object FileDesc, IntPtr Buffer, UInt64 Offset, UInt32 Length,
            Boolean WriteToEndOfFile, Boolean ConstrainedIo, out UInt32 BytesTransferred, out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            if (!WriteToEndOfFile && !ConstrainedIo && SlowNow())
            {
                UInt64 hint = Host.GetOperationRequestHint();
                UInt32 bytes = 0;
                FileInfo info = default(FileInfo);
                BytesTransferred = 0;
                FileInfo = default(FileInfo);
                return Later(() => DoWrite(n, Buffer, Offset, Length, false, false, out bytes, out info),
                    r => Host.SendWriteResponse(hint, r, bytes, ref info));
            }
            return DoWrite(n, Buffer, Offset, Length, WriteToEndOfFile, ConstrainedIo, out BytesTransferred,
                out FileInfo);
        }

        private Int32 DoWrite(FileNode n, IntPtr Buffer, UInt64 Offset, UInt32 Length, Boolean WriteToEndOfFile,
            Boolean ConstrainedIo, out UInt32 BytesTransferred, out FileInfo FileInfo)
        {
            lock (Lock)
            {
                Int32 r = STATUS_SUCCESS;
                BytesTransferred = 0;
                if (WriteToEndOfFile)
                    Offset = n.Info.FileSize;
                if (ConstrainedIo)
                {
                    if (Offset >= n.Info.FileSize)
                        Length = 0;
                    else if (Offset + Length > n.Info.FileSize)
                        Length = (UInt32)(n.Info.FileSize - Offset);
                }
                if (0 < Length)
                {
                    if (Offset > MaxFileSize || Length > MaxFileSize - Offset)
                        r = STATUS_DISK_FULL;
                    else
                    {
                        r = WriteData(n, Buffer, Offset, Length);
                        if (0 <= r)
                        {
                            if (Offset + Length > n.Info.FileSize)
                                n.Info.FileSize = Offset + Length;
                            BytesTransferred = Length;
                        }
                    }
                }
                if (0 <= r)
                {
                    n.Info.LastWriteTime = n.Info.ChangeTime = Now();
                    n.Info.FileAttributes |= (UInt32)FileAttributes.Archive;
                }
                FileInfo = InfoOf(n);
                return r;
            }
        }

        public override Int32 Flush(Object FileNode0, Object FileDesc, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            if (null != FileNode0)
                lock (Lock)
                    FileInfo = InfoOf((FileNode)FileNode0);
            return STATUS_SUCCESS;
        }

        public override Int32 GetFileInfo(Object FileNode0, Object FileDesc, out FileInfo FileInfo)
        {
            lock (Lock)
                FileInfo = InfoOf((FileNode)FileNode0);
            return STATUS_SUCCESS;
        }

        public override Int32 SetBasicInfo(Object FileNode0, Object FileDesc, UInt32 FileAttributes1,
            UInt64 CreationTime, UInt64 LastAccessTime, UInt64 LastWriteTime, UInt64 ChangeTime, out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                if (UInt32.MaxValue != FileAttributes1)
                {
                    UInt32 keep = n.Info.FileAttributes & (UInt32)(FileAttributes.Directory | FileAttributes.ReparsePoint);
                    n.Info.FileAttributes = (FileAttributes1 &
                        ~(UInt32)(FileAttributes.Normal | FileAttributes.Directory | FileAttributes.ReparsePoint)) | keep;
                }
                if (0 != CreationTime)
                    n.Info.CreationTime = CreationTime;
                if (0 != LastAccessTime)
                    n.Info.LastAccessTime = LastAccessTime;
                if (0 != LastWriteTime)
                    n.Info.LastWriteTime = LastWriteTime;
                n.Info.ChangeTime = 0 != ChangeTime ? ChangeTime : Now();
                FileInfo = InfoOf(n);
                return STATUS_SUCCESS;
            }
        }

        public override Int32 SetFileSize(Object FileNode0, Object FileDesc, UInt64 NewSize, Boolean SetAllocationSize,
            out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                Int32 r = STATUS_SUCCESS;
                if (SetAllocationSize)
                {
                    if (NewSize > MaxFileSize)
                        r = STATUS_DISK_FULL;
                    else if (NewSize < n.Info.FileSize)
                        Truncate(n, NewSize);
                }
                else if (NewSize != n.Info.FileSize)
                {
                    if (NewSize > MaxFileSize)
                        r = STATUS_DISK_FULL;
                    else if (NewSize < n.Info.FileSize)
                        Truncate(n, NewSize);
                    else
                        n.Info.FileSize = NewSize; /* sparse: missing pages read as zeros */
                }
                if (0 <= r && !SetAllocationSize)
                    n.Info.LastWriteTime = n.Info.ChangeTime = Now();
                FileInfo = InfoOf(n);
                return r;
            }
        }

        /* fallocate(2) (LinFsp extension): allocation is not modelled (pages are made when written);
         * punch hole and zero range give back the whole pages of the range and clear the rest. */
        public override Int32 Fallocate(Object FileNode0, Object FileDesc, UInt32 Mode, UInt64 Offset, UInt64 Length,
            out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                Int32 r = STATUS_SUCCESS;
                Boolean zero = 0 != (Mode & (FALLOCATE_PUNCH_HOLE | FALLOCATE_ZERO_RANGE));
                UInt64 end = Offset + Length; /* the engine checked: no wrap */
                Boolean grow = 0 == (Mode & FALLOCATE_KEEP_SIZE) && end > n.Info.FileSize;
                if (0 != (Mode & ~(FALLOCATE_KEEP_SIZE | FALLOCATE_PUNCH_HOLE | FALLOCATE_ZERO_RANGE)))
                    r = STATUS_NOT_SUPPORTED;
                else if (n.IsDirectory)
                    r = STATUS_FILE_IS_A_DIRECTORY;
                else if (end > MaxFileSize && (grow || !zero))
                    r = STATUS_DISK_FULL; /* no room for such a file here */
                else
                {
                    if (zero)
                        ZeroData(n, Offset, end);
                    if (grow)
                        n.Info.FileSize = end;
                    if (grow || zero)
                    {
                        n.Info.LastWriteTime = n.Info.ChangeTime = Now();
                        n.Info.FileAttributes |= (UInt32)FileAttributes.Archive;
                    }
                }
                FileInfo = InfoOf(n);
                return r;
            }
        }
        /* [From, To) reads as zeros: whole pages are given back, partial ones cleared. */
        private void ZeroData(FileNode n, UInt64 From, UInt64 To)
        {
            for (UInt64 page = From / PageSize; page < (UInt64)n.Pages.Length && page * PageSize < To; page++)
            {
                if (null == n.Pages[page])
                    continue;
                UInt64 start = Math.Max(From, page * PageSize), stop = Math.Min(To, (page + 1) * PageSize);
                if (start == page * PageSize && stop == (page + 1) * PageSize)
                {
                    n.Pages[page] = null;
                    n.AllocatedPages--;
                    UsedPages--;
                }
                else
                    Array.Clear(n.Pages[page], (int)(start - page * PageSize), (int)(stop - start));
            }
        }

        public override Int32 CanDelete(Object FileNode0, Object FileDesc, String FileName)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                if (n == Root)
                    return STATUS_CANNOT_DELETE;
                if (n.IsDirectory && 0 < n.Children.Count)
                    return STATUS_DIRECTORY_NOT_EMPTY;
                return STATUS_SUCCESS;
            }
        }

        public override Int32 Rename(Object FileNode0, Object FileDesc, String FileName, String NewFileName,
            Boolean ReplaceIfExists)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                FileNode sparent, dparent, s, t;
                String sname, dname = null;
                Int32 r = Split(FileName, out sparent, out sname);
                if (0 <= r)
                    r = Split(NewFileName, out dparent, out dname);
                else
                    dparent = null;
                if (0 > r)
                    return r;
                if (null == sname || null == dname)
                    return STATUS_INVALID_PARAMETER;
                if (!sparent.Children.TryGetValue(sname, out s) || s != n)
                    return STATUS_OBJECT_NAME_NOT_FOUND;
                if (n.IsDirectory)
                    for (FileNode p = dparent; null != p; p = p.Parent)
                        if (p == n)
                            return STATUS_INVALID_PARAMETER; /* into its own subtree */
                UInt64 now = Now();
                if (dparent.Children.TryGetValue(dname, out t))
                {
                    if (t == n && sparent == dparent && 0 == Comparer.Compare(sname, dname))
                    {
                        /* the same entry: only the case of the name changes */
                        sparent.Children.Remove(sname);
                        sparent.Children.Add(dname, n);
                        return STATUS_SUCCESS;
                    }
                    if (!ReplaceIfExists)
                        return STATUS_OBJECT_NAME_COLLISION;
                    if (t == n)
                        return STATUS_SUCCESS; /* two names of one file: POSIX does nothing */
                    if (t.IsDirectory && !n.IsDirectory)
                        return STATUS_ACCESS_DENIED;
                    if (!t.IsDirectory && n.IsDirectory)
                        return STATUS_NOT_A_DIRECTORY;
                    if (t.IsDirectory && 0 < t.Children.Count)
                        return STATUS_DIRECTORY_NOT_EMPTY;
                    dparent.Children.Remove(dname);
                    if (t.IsDirectory)
                    {
                        dparent.Subdirs--;
                        t.Parent = null;
                    }
                    t.Links--;
                    t.Info.ChangeTime = now;
                    ReleaseIfGone(t);
                }
                sparent.Children.Remove(sname);
                dparent.Children.Add(dname, n);
                if (n.IsDirectory)
                {
                    sparent.Subdirs--;
                    dparent.Subdirs++;
                    n.Parent = dparent;
                }
                n.Info.ChangeTime = now;
                sparent.Info.LastWriteTime = sparent.Info.ChangeTime = now;
                dparent.Info.LastWriteTime = dparent.Info.ChangeTime = now;
                return STATUS_SUCCESS;
            }
        }

        public override Int32 CreateHardLink(Object FileNode0, Object FileDesc, String FileName, String NewFileName,
            out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                FileInfo = InfoOf(n);
                if (n.IsDirectory)
                    return STATUS_ACCESS_DENIED;
                FileNode parent;
                String name;
                Int32 r = Split(NewFileName, out parent, out name);
                if (0 > r)
                    return r;
                if (null == name)
                    return STATUS_OBJECT_NAME_INVALID;
                if (0 == n.Links)
                    return STATUS_OBJECT_NAME_NOT_FOUND; /* linking an unlinked file: ENOENT */
                if (parent.Children.ContainsKey(name))
                    return STATUS_OBJECT_NAME_COLLISION;
                if (65000 <= n.Links)
                    return STATUS_TOO_MANY_LINKS;
                parent.Children.Add(name, n);
                n.Links++;
                UInt64 now = Now();
                parent.Info.LastWriteTime = parent.Info.ChangeTime = now;
                n.Info.ChangeTime = now;
                FileInfo = InfoOf(n);
                return STATUS_SUCCESS;
            }
        }

        /* ---- security ---- */

        public override Int32 GetSecurity(Object FileNode0, Object FileDesc, ref Byte[] SecurityDescriptor)
        {
            lock (Lock)
                SecurityDescriptor = ((FileNode)FileNode0).Security;
            return STATUS_SUCCESS;
        }

        public override Int32 SetSecurity(Object FileNode0, Object FileDesc, AccessControlSections Sections,
            Byte[] SecurityDescriptor)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                Byte[] modified = null;
                Int32 r = ModifySecurityDescriptorEx(n.Security, Sections, SecurityDescriptor, ref modified);
                if (0 <= r)
                {
                    n.Security = modified;
                    n.Info.ChangeTime = Now();
                }
                return r;
            }
        }

        /* ---- directories ---- */

        public override Int32 ReadDirectory(Object FileNode0, Object FileDesc, String Pattern, String Marker,
            IntPtr Buffer, UInt32 Length, out UInt32 BytesTransferred)
        {
            FileNode n = (FileNode)FileNode0;
            if (!n.IsDirectory)
            {
                BytesTransferred = 0;
                return STATUS_NOT_A_DIRECTORY;
            }
            if (SlowNow())
            {
                UInt64 hint = Host.GetOperationRequestHint();
                UInt32 bytes = 0;
                BytesTransferred = 0;
                return Later(() => DoReadDirectory(n, Marker, Buffer, Length, out bytes),
                    r => Host.SendReadDirectoryResponse(hint, r, bytes));
            }
            return DoReadDirectory(n, Marker, Buffer, Length, out BytesTransferred);
        }

        private Int32 DoReadDirectory(FileNode n, String Marker, IntPtr Buffer, UInt32 Length,
            out UInt32 BytesTransferred)
        {
            BytesTransferred = 0;
            lock (Lock)
            {
                FileInfo info;
                if (n != Root)
                {
                    if (null == Marker)
                    {
                        info = InfoOf(n);
                        if (!AddDirInfo(".", ref info, Buffer, Length, ref BytesTransferred))
                            return STATUS_SUCCESS;
                    }
                    if (null == Marker || "." == Marker)
                    {
                        info = InfoOf(n.Parent ?? Root);
                        if (!AddDirInfo("..", ref info, Buffer, Length, ref BytesTransferred))
                            return STATUS_SUCCESS;
                        Marker = null;
                    }
                    else if (".." == Marker)
                        Marker = null;
                }
                IList<String> keys = n.Children.Keys;
                IList<FileNode> values = n.Children.Values;
                int i = 0;
                if (null != Marker)
                {
                    /* first name after Marker (binary search) */
                    int lo = 0, hi = keys.Count;
                    while (lo < hi)
                    {
                        int mid = (lo + hi) / 2;
                        if (Comparer.Compare(keys[mid], Marker) <= 0)
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    i = lo;
                }
                for (; i < keys.Count; i++)
                {
                    info = InfoOf(values[i]);
                    if (!AddDirInfo(keys[i], ref info, Buffer, Length, ref BytesTransferred))
                        return STATUS_SUCCESS;
                }
                AddDirInfoEnd(Buffer, Length, ref BytesTransferred);
                return STATUS_SUCCESS;
            }
        }

        public override Int32 GetDirInfoByName(Object FileNode0, Object FileDesc, String FileName,
            out String NormalizedName, out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                FileNode c;
                int i = n.IsDirectory ? n.Children.IndexOfKey(FileName) : -1;
                if (0 > i)
                {
                    NormalizedName = null;
                    FileInfo = default(FileInfo);
                    return STATUS_OBJECT_NAME_NOT_FOUND;
                }
                c = n.Children.Values[i];
                NormalizedName = n.Children.Keys[i];
                FileInfo = InfoOf(c);
                return STATUS_SUCCESS;
            }
        }

        /* ---- reparse points ---- */

        public override Int32 GetReparsePoint(Object FileNode0, Object FileDesc, String FileName,
            ref Byte[] ReparseData)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                if (null == n.ReparseData)
                    return STATUS_NOT_A_REPARSE_POINT;
                ReparseData = n.ReparseData;
                return STATUS_SUCCESS;
            }
        }

        public override Int32 SetReparsePoint(Object FileNode0, Object FileDesc, String FileName, Byte[] ReparseData)
        {
            FileNode n = (FileNode)FileNode0;
            if (null == ReparseData || 8 > ReparseData.Length || 32 * 1024 < ReparseData.Length)
                return STATUS_IO_REPARSE_DATA_INVALID;
            lock (Lock)
            {
                if (n.IsDirectory && 0 < n.Children.Count)
                    return STATUS_DIRECTORY_NOT_EMPTY;
                if (null != n.ReparseData)
                {
                    Int32 r = CanReplaceReparsePoint(n.ReparseData, ReparseData);
                    if (0 > r)
                        return r;
                }
                n.ReparseData = ReparseData;
                n.Info.FileAttributes |= (UInt32)FileAttributes.ReparsePoint;
                n.Info.ReparseTag = GetReparseTag(ReparseData);
                n.Info.ChangeTime = Now();
                return STATUS_SUCCESS;
            }
        }

        public override Int32 DeleteReparsePoint(Object FileNode0, Object FileDesc, String FileName,
            Byte[] ReparseData)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                if (null == n.ReparseData)
                    return STATUS_NOT_A_REPARSE_POINT;
                Int32 r = CanReplaceReparsePoint(n.ReparseData, ReparseData);
                if (0 > r)
                    return r;
                n.ReparseData = null;
                n.Info.FileAttributes &= ~(UInt32)FileAttributes.ReparsePoint;
                n.Info.ReparseTag = 0;
                return STATUS_SUCCESS;
            }
        }

        /* ---- extended attributes ---- */

        public override Boolean GetEaEntry(Object FileNode0, Object FileDesc, ref Object Context, out String EaName,
            out Byte[] EaValue, out Boolean NeedEa)
        {
            FileNode n = (FileNode)FileNode0;
            IEnumerator<KeyValuePair<String, EaEntry>> e = (IEnumerator<KeyValuePair<String, EaEntry>>)Context;
            if (null == e)
            {
                lock (Lock)
                {
                    List<KeyValuePair<String, EaEntry>> snapshot = null == n.Eas
                        ? new List<KeyValuePair<String, EaEntry>>()
                        : new List<KeyValuePair<String, EaEntry>>(n.Eas);
                    Context = e = snapshot.GetEnumerator();
                }
            }
            if (e.MoveNext())
            {
                EaName = e.Current.Key;
                EaValue = e.Current.Value.Value;
                NeedEa = e.Current.Value.NeedEa;
                return true;
            }
            EaName = null;
            EaValue = null;
            NeedEa = false;
            return false;
        }

        public override Int32 SetEa(Object FileNode0, Object FileDesc, IntPtr Ea, UInt32 EaLength, out FileInfo FileInfo)
        {
            FileNode n = (FileNode)FileNode0;
            lock (Lock)
            {
                Int32 r = SetEaEntries(n, FileDesc, Ea, EaLength);
                if (0 <= r)
                    n.Info.ChangeTime = Now();
                FileInfo = InfoOf(n);
                return r;
            }
        }

        /* Called by SetEaEntries with the lock held. */
        public override Int32 SetEaEntry(Object FileNode0, Object FileDesc, ref Object Context, String EaName,
            Byte[] EaValue, Boolean NeedEa)
        {
            FileNode n = (FileNode)FileNode0;
            EaEntry old;
            if (null != n.Eas && n.Eas.TryGetValue(EaName, out old))
            {
                n.Info.EaSize -= GetEaEntrySize(EaName, old.Value, old.NeedEa);
                n.Eas.Remove(EaName);
            }
            if (null != EaValue)
            {
                if (null == n.Eas)
                    n.Eas = new SortedDictionary<String, EaEntry>(StringComparer.Ordinal);
                EaEntry e = new EaEntry();
                e.Value = EaValue;
                e.NeedEa = NeedEa;
                n.Eas.Add(EaName, e);
                n.Info.EaSize += GetEaEntrySize(EaName, EaValue, NeedEa);
            }
            return STATUS_SUCCESS;
        }

        /* ---- ioctl ---- */

        public override unsafe Int32 Control(Object FileNode0, Object FileDesc, UInt32 ControlCode, IntPtr InputBuffer,
            UInt32 InputBufferLength, IntPtr OutputBuffer, UInt32 OutputBufferLength, out UInt32 BytesTransferred)
        {
            BytesTransferred = 0;
            if (ControlRot13 != ControlCode)
                return STATUS_INVALID_DEVICE_REQUEST;
            UInt32 n = Math.Min(InputBufferLength, OutputBufferLength);
            byte *s = (byte *)InputBuffer, d = (byte *)OutputBuffer;
            for (UInt32 i = 0; i < n; i++)
            {
                byte c = s[i];
                if (c >= 'a' && c <= 'z')
                    c = (byte)('a' + (c - 'a' + 13) % 26);
                else if (c >= 'A' && c <= 'Z')
                    c = (byte)('A' + (c - 'A' + 13) % 26);
                d[i] = c;
            }
            BytesTransferred = n;
            return STATUS_SUCCESS;
        }
    }

    class MemfsService : Service
    {
        private class UsageException : Exception
        {
            public UsageException(String Message) : base(Message ?? "")
            {
            }
        }

        private const String Usage =
            "usage: memfs-dotnet OPTIONS\n" +
            "\n" +
            "options:\n" +
            "    -m MountPoint       directory to mount on (required)\n" +
            "    -t FileInfoTimeout  ms the kernel caches metadata; -1 also caches data (default -1)\n" +
            "    -n MaxFileNodes     maximum number of files and directories (default 1048576)\n" +
            "    -s MaxFileSize      maximum file size, K/M/G/T suffixes allowed (default 16G)\n" +
            "    -i                  case-insensitive file system\n" +
            "    -d DebugFlags       trace requests (-1: all)\n" +
            "    -D DebugLogFile     trace to this file ('-' for stderr)\n" +
            "    -F FileSystemName   file system name (mount subtype; default memfs-dotnet)\n" +
            "    -S RootSddl         security of the root directory (SDDL)\n" +
            "    -u \\Server\\Share    volume prefix (shown as the mount source)\n" +
            "    -o Options          mount options (allow_other, ro, ...); may repeat\n" +
            "    -M MaxDelay         slow I/O: maximum delay in ms\n" +
            "    -P PercentDelay     slow I/O: percent of Read/Write/ReadDirectory completed later\n" +
            "    -R RarefyDelay      slow I/O: percent of delayed operations that really wait\n" +
            "    -h                  this help\n";

        private FileSystemHost Host;

        public MemfsService() : base("memfs-dotnet")
        {
        }

        private static UInt64 Number(String Option, String Value, Boolean AllowNegative, Boolean Suffix)
        {
            if (null == Value)
                throw new UsageException("option " + Option + " needs a value");
            if (AllowNegative && "-1" == Value)
                return UInt64.MaxValue;
            int shift = 0;
            String v = Value;
            if (Suffix && 0 < v.Length)
            {
                switch (Char.ToUpperInvariant(v[v.Length - 1]))
                {
                case 'K': shift = 10; break;
                case 'M': shift = 20; break;
                case 'G': shift = 30; break;
                case 'T': shift = 40; break;
                }
                if (0 != shift)
                    v = v.Substring(0, v.Length - 1);
            }
            UInt64 r;
            if (!UInt64.TryParse(v, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out r) || r > (UInt64.MaxValue >> shift))
                throw new UsageException("invalid value for " + Option + ": " + Value);
            return r << shift;
        }

        protected override void OnStart(String[] Args)
        {
            String MountPoint = null, DebugLogFile = null, FsName = null, RootSddl = null, Prefix = null, Options = null;
            UInt64 Timeout = UInt64.MaxValue, Nodes = 1024 * 1024, MaxSize = 16UL << 30, Debug = 0;
            UInt64 SlowDelay = 0, SlowPercent = 0, SlowRarefy = 0;
            Boolean CaseInsensitive = false;
            try
            {
                for (int i = 1; i < Args.Length; i++)
                {
                    String a = Args[i];
                    String v = i + 1 < Args.Length ? Args[i + 1] : null;
                    switch (a)
                    {
                    case "-m": MountPoint = v; i++; break;
                    case "-t": Timeout = Number(a, v, true, false); i++; break;
                    case "-n": Nodes = Number(a, v, false, false); i++; break;
                    case "-s": MaxSize = Number(a, v, false, true); i++; break;
                    case "-i": CaseInsensitive = true; break;
                    case "-d": Debug = Number(a, v, true, false); i++; break;
                    case "-D": DebugLogFile = v; i++; break;
                    case "-F": FsName = v; i++; break;
                    case "-S": RootSddl = v; i++; break;
                    case "-u": Prefix = v; i++; break;
                    case "-o": Options = null == Options ? v : Options + "," + v; i++; break;
                    case "-M": SlowDelay = Number(a, v, false, false); i++; break;
                    case "-P": SlowPercent = Number(a, v, false, false); i++; break;
                    case "-R": SlowRarefy = Number(a, v, false, false); i++; break;
                    case "-h": throw new UsageException(null);
                    default: throw new UsageException("unknown argument " + a);
                    }
                    if (a != "-i" && null == v)
                        throw new UsageException("option " + a + " needs a value");
                }
                if (null == MountPoint)
                    throw new UsageException("-m MountPoint is required");
                if (0 == Nodes || Nodes > UInt32.MaxValue || SlowPercent > 100 || SlowRarefy > 100 || SlowDelay > 60000)
                    throw new UsageException("invalid -n, -P, -R or -M value");
            }
            catch (UsageException ex)
            {
                if (0 != ex.Message.Length)
                    Log(EVENTLOG_ERROR_TYPE, ex.Message);
                Console.Error.Write(Usage);
                ExitCode = 2;
                throw;
            }
            if (null != DebugLogFile && 0 > FileSystemHost.SetDebugLogFile(DebugLogFile))
            {
                Log(EVENTLOG_ERROR_TYPE, "cannot open " + DebugLogFile);
                ExitCode = 2;
                throw new UsageException(null);
            }
            Byte[] RootSecurity;
            if (null != RootSddl)
            {
                RootSecurity = FileSystemBase.SecurityDescriptorFromString(RootSddl);
                if (null == RootSecurity)
                {
                    Log(EVENTLOG_ERROR_TYPE, "invalid SDDL: " + RootSddl);
                    ExitCode = 2;
                    throw new UsageException(null);
                }
            }
            else
                RootSecurity = FileSystemBase.PosixMapPermissionsToSecurityDescriptor(GetEuid(), GetEgid(), 0x1ed);
            UInt32 InfoTimeout = UInt64.MaxValue == Timeout || Timeout > 0xFFFFFFFE ? UInt32.MaxValue : (UInt32)Timeout;
            Memfs fs = new Memfs(CaseInsensitive, Nodes, MaxSize, InfoTimeout, Prefix, FsName, RootSecurity,
                (UInt32)SlowDelay, (UInt32)SlowPercent, (UInt32)SlowRarefy);
            Host = new FileSystemHost(fs);
            Host.MountOptions = Options;
            Int32 r = Host.Mount(MountPoint, null, false, (UInt32)Debug);
            if (0 > r)
            {
                Log(EVENTLOG_ERROR_TYPE, String.Format("cannot mount at {0} (status 0x{1:X8})", MountPoint, r));
                ExitCode = 1;
                throw new UsageException(null);
            }
            Log(EVENTLOG_INFORMATION_TYPE, "serving at " + MountPoint);
        }

        protected override void OnStop()
        {
            if (null != Host)
            {
                Host.Unmount();
                Host = null;
            }
        }

        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern UInt32 GetEuid();
        [DllImport("libc", EntryPoint = "getegid")]
        private static extern UInt32 GetEgid();

        static void Main()
        {
            Environment.ExitCode = new MemfsService().Run();
        }
    }
}
