/*
 * dotnet/Fsp/Interop.cs - the native structures of <winfsp/fsctl.h> as LinFsp lays them out
 * (WCHAR is wchar_t: 4 bytes, UTF-32), and the P/Invoke declarations into liblinfsp.so.0.
 *
 * Every structure here is blittable and has the size and offsets of its C counterpart on
 * x86-64 and aarch64 Linux; the layer's test program (dotnet/tests) checks them.
 */
using System;
using System.Runtime.InteropServices;
using System.Security;

namespace Fsp.Interop
{
    /// <summary>FSP_FSCTL_VOLUME_INFO (152 bytes): what GetVolumeInfo returns.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct VolumeInfo
    {
        internal const int VolumeLabelMax = 32;
        public UInt64 TotalSize;
        public UInt64 FreeSize;
        internal UInt16 VolumeLabelLength; /* bytes: 4 per character */
        internal fixed UInt32 VolumeLabel[VolumeLabelMax];

        /// <summary>Set the label, cut to 32 Unicode characters (UTF-32 code points on LinFsp).</summary>
        public void SetVolumeLabel(String Value)
        {
            fixed (UInt32 *p = VolumeLabel)
            {
                int n = Utf32.Encode(Value ?? "", p, VolumeLabelMax);
                VolumeLabelLength = (UInt16)(n * 4);
            }
        }

        /// <summary>The label (LinFsp addition: WinFsp's struct has no getter).</summary>
        public String GetVolumeLabel()
        {
            fixed (UInt32 *p = VolumeLabel)
                return Utf32.Decode(p, Math.Min(VolumeLabelLength / 4, VolumeLabelMax));
        }
    }

    /// <summary>FSP_FSCTL_FILE_INFO (72 bytes). HardLinks is st_nlink on LinFsp (with VolumeParams.HardLinks).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FileInfo
    {
        public UInt32 FileAttributes;
        public UInt32 ReparseTag;
        public UInt64 AllocationSize;
        public UInt64 FileSize;
        public UInt64 CreationTime;
        public UInt64 LastAccessTime;
        public UInt64 LastWriteTime;
        public UInt64 ChangeTime;
        public UInt64 IndexNumber;
        public UInt32 HardLinks;
        private UInt32 _EaSize;
        public UInt32 EaSize { get { return _EaSize; } set { _EaSize = value; } }
    }

    /// <summary>What a change notification names (FspFileSystemNotify).</summary>
    public enum NotifyAction : UInt32
    {
        Added = 1, Removed = 2, Modified = 3, RenamedOldName = 4, RenamedNewName = 5,
        AddedStream = 6, RemovedStream = 7, ModifiedStream = 8, RemovedByDelete = 9,
        IdNotTunnelled = 10, TunnelledIdCollision = 11,
    }

    [Flags]
    public enum NotifyFilter : UInt32
    {
        None = 0, ChangeFileName = 0x1, ChangeDirName = 0x2, ChangeName = 0x3, ChangeAttributes = 0x4,
        ChangeSize = 0x8, ChangeLastWrite = 0x10, ChangeLastAccess = 0x20, ChangeCreation = 0x40,
        ChangeEa = 0x80, ChangeSecurity = 0x100, ChangeStreamName = 0x200, ChangeStreamSize = 0x400,
        ChangeStreamWrite = 0x800,
    }

    /// <summary>One notification for FileSystemHost.Notify: a full path from the root ("\dir\f").</summary>
    public struct NotifyInfo
    {
        public String FileName;
        public NotifyAction Action;
        public NotifyFilter Filter;
    }

    /// <summary>IO_STATUS_BLOCK as WinFsp's .NET layer shows it (used by ResolveReparsePoints).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoStatusBlock
    {
        public IntPtr Status;
        public IntPtr Information;
    }

    /* ---- internal layouts ---- */

    /// <summary>FSP_FSCTL_VOLUME_PARAMS (920 bytes; Prefix 192 and FileSystemName 16 UTF-32 characters).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct VolumeParams
    {
        internal const int PrefixSize = 192, FileSystemNameSize = 16;
        /* Flags (offset 36) */
        internal const UInt32 CaseSensitiveSearch = 0x00000001, CasePreservedNames = 0x00000002,
            UnicodeOnDisk = 0x00000004, PersistentAcls = 0x00000008, ReparsePoints = 0x00000010,
            ReparsePointsAccessCheck = 0x00000020, NamedStreams = 0x00000040, HardLinks = 0x00000080,
            ExtendedAttributes = 0x00000100, ReadOnlyVolume = 0x00000200,
            PostCleanupWhenModifiedOnly = 0x00000400, PassQueryDirectoryPattern = 0x00000800,
            AlwaysUseDoubleBuffering = 0x00001000, PassQueryDirectoryFileName = 0x00002000,
            FlushAndPurgeOnCleanup = 0x00004000, DeviceControl = 0x00008000,
            UmFileContextIsUserContext2 = 0x00010000, UmFileContextIsFullContext = 0x00020000,
            AllowOpenInKernelMode = 0x01000000, CasePreservedExtendedAttributes = 0x02000000,
            WslFeatures = 0x04000000, RejectIrpPriorToTransact0 = 0x10000000,
            SupportsPosixUnlinkRename = 0x20000000, PostDispositionWhenNecessaryOnly = 0x40000000;
        /* AdditionalFlags (offset 872, V1) */
        internal const UInt32 VolumeInfoTimeoutValid = 0x01, DirInfoTimeoutValid = 0x02,
            SecurityTimeoutValid = 0x04, StreamInfoTimeoutValid = 0x08, EaTimeoutValid = 0x10,
            PassthroughBackingFiles = 0x20, WritebackCache = 0x40,
            XattrsPassThrough = 0x4000, /* LinFsp: bit 14 (after NanosecondTimes, EmptyEaValues, LinuxXattrNamespaces at 11-13) */
            CaseSensitiveExtendedAttributes = 0x8000, /* LinFsp: bit 15 */
            AccessTimesByFileSystem = 0x10000; /* LinFsp: bit 16 */

        internal UInt16 Version;
        internal UInt16 SectorSize;
        internal UInt16 SectorsPerAllocationUnit;
        internal UInt16 MaxComponentLength;
        internal UInt64 VolumeCreationTime;
        internal UInt32 VolumeSerialNumber;
        internal UInt32 TransactTimeout;
        internal UInt32 IrpTimeout;
        internal UInt32 IrpCapacity;
        internal UInt32 FileInfoTimeout;
        internal UInt32 Flags;
        internal fixed UInt32 Prefix[PrefixSize];
        internal fixed UInt32 FileSystemName[FileSystemNameSize];
        internal UInt32 AdditionalFlags;
        internal UInt32 VolumeInfoTimeout;
        internal UInt32 DirInfoTimeout;
        internal UInt32 SecurityTimeout;
        internal UInt32 StreamInfoTimeout;
        internal UInt32 EaTimeout;
        internal UInt32 FsextControlCode;
        internal UInt32 Reserved32;
        internal UInt64 Reserved64a, Reserved64b;
    }

    /// <summary>FSP_FSCTL_DIR_INFO header (104 bytes; the UTF-32 name follows, no NUL).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DirInfo
    {
        internal const int NameOffset = 104;
        internal UInt16 Size;
        internal FileInfo FileInfo;
        internal UInt64 Padding0, Padding1, Padding2;
    }

    /// <summary>FSP_FSCTL_STREAM_INFO header (24 bytes; the UTF-32 name follows).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StreamInfo
    {
        internal const int NameOffset = 24;
        internal UInt16 Size;
        internal UInt64 StreamSize;
        internal UInt64 StreamAllocationSize;
    }

    /// <summary>FSP_FSCTL_NOTIFY_INFO header (12 bytes; the UTF-32 name follows).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NotifyInfoInternal
    {
        internal const int NameOffset = 12;
        internal UInt16 Size;
        internal UInt32 Filter;
        internal UInt32 Action;
    }

    /// <summary>LinFsp's IO_STATUS_BLOCK: NTSTATUS, then UINT64 Information (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeIoStatusBlock
    {
        internal Int32 Status;
        internal UInt64 Information;
    }

    /// <summary>FSP_FSCTL_TRANSACT_RSP (176 bytes): only what a pending completion needs.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 176)]
    internal struct TransactRsp
    {
        internal const int Size_ = 176;
        internal UInt16 Version;
        internal UInt16 Size;
        internal UInt32 Kind;
        internal UInt64 Hint;
        internal UInt32 Information;
        internal Int32 Status;
        internal FileInfo FileInfo; /* Rsp.Write.FileInfo, offset 24 */
    }

    internal static class TransactKind
    {
        internal const UInt32 Read = 5, Write = 6, QueryDirectory = 14;
    }

    /// <summary>The offsets into FSP_FSCTL_TRANSACT_REQ and FSP_FILE_SYSTEM the layer reads.</summary>
    internal static class NativeOffsets
    {
        internal const int RequestHint = 8;          /* FSP_FSCTL_TRANSACT_REQ.Hint */
        /* After the Req union (16 + 72 bytes: its largest member is SetInformation, WinFsp's Info
         * union and LinFsp's Nsec after it); test-dotnet checks CallerUid against the C layer's
         * CallerPid, and test-port these numbers against offsetof in C. */
        internal const int RequestFileName = 88;     /* LinFsp: FSP_FSCTL_TRANSACT_REQ.FileName */
        internal const int RequestCallerUid = 96;    /* LinFsp: CallerUid, CallerGid, CallerPid */
        internal const int ResponseStatus = 20;      /* FSP_FSCTL_TRANSACT_RSP.IoStatus.Status */
        internal const int FileSystemUserContext = 8; /* FSP_FILE_SYSTEM.UserContext */
        internal const int InterfaceSlots = 64;      /* FSP_FILE_SYSTEM_INTERFACE: 64 pointers */
    }

    /// <summary>The slots of FSP_FILE_SYSTEM_INTERFACE, in order.</summary>
    internal enum Slot
    {
        GetVolumeInfo, SetVolumeLabel, GetSecurityByName, Create, Open, Overwrite, Cleanup, Close,
        Read, Write, Flush, GetFileInfo, SetBasicInfo, SetFileSize, CanDelete, Rename, GetSecurity,
        SetSecurity, ReadDirectory, ResolveReparsePoints, GetReparsePoint, SetReparsePoint,
        DeleteReparsePoint, GetStreamInfo, GetDirInfoByName, Control, SetDelete, CreateEx,
        OverwriteEx, GetEa, SetEa, Obsolete0, DispatcherStopped,
        CreateHardLink, /* LinFsp extension: the first of WinFsp's reserved slots */
        Fallocate,      /* LinFsp extension: the second */
    }

    /// <summary>P/Invoke into liblinfsp.so.0. Strings are passed as UTF-32 pointers made by Utf32.</summary>
    [SuppressUnmanagedCodeSecurity]
    internal static unsafe class Api
    {
        /* Mono maps this name with linfsp-net.dll.config (<dllmap>) to the library's full path. */
        internal const String Lib = "liblinfsp.so.0";

        [DllImport(Lib)] internal static extern Int32 FspFileSystemCreate(IntPtr DevicePath,
            ref VolumeParams VolumeParams, IntPtr Interface, out IntPtr PFileSystem);
        [DllImport(Lib)] internal static extern void FspFileSystemDelete(IntPtr FileSystem);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemSetMountPointEx(IntPtr FileSystem,
            IntPtr MountPoint, IntPtr SecurityDescriptor);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemSetMountOptions(IntPtr FileSystem,
            byte *Options);
        [DllImport(Lib)] internal static extern void FspFileSystemRemoveMountPoint(IntPtr FileSystem);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemStartDispatcher(IntPtr FileSystem,
            UInt32 ThreadCount);
        [DllImport(Lib)] internal static extern void FspFileSystemStopDispatcher(IntPtr FileSystem);
        [DllImport(Lib)] internal static extern void FspFileSystemSendResponse(IntPtr FileSystem,
            ref TransactRsp Response);
        [DllImport(Lib)] internal static extern IntPtr FspFileSystemGetOperationContext();
        [DllImport(Lib)] internal static extern IntPtr FspFileSystemMountPointF(IntPtr FileSystem);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemPreflight(IntPtr DevicePath,
            IntPtr MountPoint);
        [DllImport(Lib)] internal static extern void FspFileSystemSetOperationGuardStrategyF(
            IntPtr FileSystem, Int32 GuardStrategy);
        [DllImport(Lib)] internal static extern void FspFileSystemSetDebugLogF(IntPtr FileSystem,
            UInt32 DebugLog);
        [DllImport(Lib)] internal static extern UInt32 FspFileSystemOperationProcessIdF();
        [DllImport(Lib)] internal static extern Int32 FspFileSystemNotifyBegin(IntPtr FileSystem,
            UInt32 Timeout);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemNotifyEnd(IntPtr FileSystem);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemNotify(IntPtr FileSystem,
            IntPtr NotifyInfo, UIntPtr Size);
        [DllImport(Lib)] internal static extern Byte FspFileSystemAddNotifyInfo(IntPtr NotifyInfo,
            IntPtr Buffer, UInt32 Length, out UInt32 PBytesTransferred);
        [DllImport(Lib)] internal static extern Byte FspFileSystemAddDirInfo(IntPtr DirInfo,
            IntPtr Buffer, UInt32 Length, UInt32 *PBytesTransferred);
        [DllImport(Lib)] internal static extern Byte FspFileSystemAddStreamInfo(IntPtr StreamInfo,
            IntPtr Buffer, UInt32 Length, UInt32 *PBytesTransferred);
        [DllImport(Lib)] internal static extern Byte FspFileSystemAddEa(IntPtr SingleEa,
            IntPtr Ea, UInt32 EaLength, UInt32 *PBytesTransferred);
        [DllImport(Lib)] internal static extern Byte FspFileSystemAcquireDirectoryBuffer(
            ref IntPtr PDirBuffer, Byte Reset, out Int32 PResult);
        [DllImport(Lib)] internal static extern Byte FspFileSystemFillDirectoryBuffer(
            ref IntPtr PDirBuffer, IntPtr DirInfo, out Int32 PResult);
        [DllImport(Lib)] internal static extern void FspFileSystemReleaseDirectoryBuffer(
            ref IntPtr PDirBuffer);
        [DllImport(Lib)] internal static extern void FspFileSystemReadDirectoryBuffer(
            ref IntPtr PDirBuffer, IntPtr Marker, IntPtr Buffer, UInt32 Length,
            UInt32 *PBytesTransferred);
        [DllImport(Lib)] internal static extern void FspFileSystemDeleteDirectoryBuffer(
            ref IntPtr PDirBuffer);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate Int32 GetReparsePointByNameCallback(IntPtr FileSystem, IntPtr Context,
            IntPtr FileName, Byte IsDirectory, IntPtr Buffer, IntPtr PSize);
        [DllImport(Lib)] internal static extern Byte FspFileSystemFindReparsePoint(IntPtr FileSystem,
            GetReparsePointByNameCallback GetReparsePointByName, IntPtr Context, IntPtr FileName,
            out UInt32 PReparsePointIndex);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemResolveReparsePoints(
            IntPtr FileSystem, GetReparsePointByNameCallback GetReparsePointByName, IntPtr Context,
            IntPtr FileName, UInt32 ReparsePointIndex, Byte ResolveLastPathComponent,
            out NativeIoStatusBlock PIoStatus, IntPtr Buffer, IntPtr PSize);
        [DllImport(Lib)] internal static extern Int32 FspFileSystemCanReplaceReparsePoint(
            byte *CurrentReparseData, UIntPtr CurrentReparseDataSize,
            byte *ReplaceReparseData, UIntPtr ReplaceReparseDataSize);

        [DllImport(Lib)] internal static extern Int32 FspSetSecurityDescriptor(byte *InputDescriptor,
            UInt32 SecurityInformation, byte *ModificationDescriptor, out IntPtr PSecurityDescriptor);
        [DllImport(Lib)] internal static extern void FspDeleteSecurityDescriptor(IntPtr SecurityDescriptor,
            IntPtr CreateFunc);
        [DllImport(Lib)] internal static extern UInt32 FspGetSecurityDescriptorLength(IntPtr SecurityDescriptor);
        [DllImport(Lib)] internal static extern Byte FspIsValidSecurityDescriptor(byte *SecurityDescriptor,
            UIntPtr Size);
        [DllImport(Lib)] internal static extern Int32 FspSddlToSecurityDescriptor(IntPtr Sddl,
            out IntPtr PSecurityDescriptor, out UInt32 PSecurityDescriptorSize);
        [DllImport(Lib)] internal static extern Int32 FspSecurityDescriptorToSddl(byte *SecurityDescriptor,
            UInt32 SecurityInformation, out IntPtr PSddl);
        [DllImport(Lib)] internal static extern Int32 FspPosixMapPermissionsToSecurityDescriptor(
            UInt32 Uid, UInt32 Gid, UInt32 Mode, out IntPtr PSecurityDescriptor);
        [DllImport(Lib)] internal static extern Int32 FspPosixMapSecurityDescriptorToPermissions(
            byte *SecurityDescriptor, out UInt32 PUid, out UInt32 PGid, out UInt32 PMode);
        [DllImport(Lib)] internal static extern Int32 FspPosixMapWindowsToPosixPathEx(IntPtr WindowsPath,
            out IntPtr PPosixPath, Byte Translate);
        [DllImport(Lib)] internal static extern Int32 FspPosixMapPosixToWindowsPathEx(byte *PosixPath,
            out IntPtr PWindowsPath, Byte Translate);
        [DllImport(Lib)] internal static extern void FspPosixDeletePath(IntPtr Path);

        [DllImport(Lib)] internal static extern Int32 FspNtStatusFromErrno(Int32 Errno);
        [DllImport(Lib)] internal static extern Int32 FspErrnoFromNtStatus(Int32 Status);
        [DllImport(Lib)] internal static extern void FspDebugLogSetFd(Int32 Fd);
        [DllImport(Lib)] internal static extern void FspDebugLog(byte *Format, byte *Arg);
        [DllImport(Lib)] internal static extern Int32 FspVersion(out UInt32 PVersion);

        /* libc: the few calls the layer needs without Mono.Posix */
        [DllImport("libc", SetLastError = true, EntryPoint = "open")]
        internal static extern Int32 open(byte *Path, Int32 Flags, Int32 Mode);
        [DllImport("libc", EntryPoint = "free")]
        internal static extern void free(IntPtr Ptr);
        [DllImport("libc", EntryPoint = "getuid")]
        internal static extern UInt32 getuid();
        [DllImport("libc", EntryPoint = "getgid")]
        internal static extern UInt32 getgid();
    }
}
