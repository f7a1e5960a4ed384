/*
 * dotnet/Fsp/FileSystemBase.cs - the base class of a file system written in C# (WinFsp's
 * Fsp.FileSystemBase): one virtual per operation with WinFsp's signature and default, and the
 * helpers (directory buffers, EAs, streams, reparse points, security descriptors).
 *
 * A file system overrides what it implements. On LinFsp FileSystemHost installs an interface slot
 * only when the file system overrides the virtual (or one its default calls), so the engine sees
 * "not implemented" for the rest, as a C file system that leaves the member NULL.
 */
using System;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Text;
using Fsp.Interop;

namespace Fsp
{
    public partial class FileSystemBase
    {
        /* ---- constants (WinFsp's FileSystemBase+Const; NTSTATUS values are in NtStatus.g.cs) ---- */
        public const UInt32 FILE_DIRECTORY_FILE = 0x00000001;
        public const UInt32 FILE_WRITE_THROUGH = 0x00000002;
        public const UInt32 FILE_SEQUENTIAL_ONLY = 0x00000004;
        public const UInt32 FILE_NO_INTERMEDIATE_BUFFERING = 0x00000008;
        public const UInt32 FILE_SYNCHRONOUS_IO_ALERT = 0x00000010;
        public const UInt32 FILE_SYNCHRONOUS_IO_NONALERT = 0x00000020;
        public const UInt32 FILE_NON_DIRECTORY_FILE = 0x00000040;
        public const UInt32 FILE_CREATE_TREE_CONNECTION = 0x00000080;
        public const UInt32 FILE_COMPLETE_IF_OPLOCKED = 0x00000100;
        public const UInt32 FILE_NO_EA_KNOWLEDGE = 0x00000200;
        public const UInt32 FILE_OPEN_REMOTE_INSTANCE = 0x00000400;
        public const UInt32 FILE_RANDOM_ACCESS = 0x00000800;
        public const UInt32 FILE_DELETE_ON_CLOSE = 0x00001000;
        public const UInt32 FILE_OPEN_BY_FILE_ID = 0x00002000;
        public const UInt32 FILE_OPEN_FOR_BACKUP_INTENT = 0x00004000;
        public const UInt32 FILE_NO_COMPRESSION = 0x00008000;
        public const UInt32 FILE_OPEN_REQUIRING_OPLOCK = 0x00010000;
        public const UInt32 FILE_DISALLOW_EXCLUSIVE = 0x00020000;
        public const UInt32 FILE_RESERVE_OPFILTER = 0x00100000;
        public const UInt32 FILE_OPEN_REPARSE_POINT = 0x00200000;
        public const UInt32 FILE_OPEN_NO_RECALL = 0x00400000;
        public const UInt32 FILE_OPEN_FOR_FREE_SPACE_QUERY = 0x00800000;

        public const UInt32 CleanupDelete = 0x01;
        public const UInt32 CleanupSetAllocationSize = 0x02;
        public const UInt32 CleanupSetArchiveBit = 0x10;
        public const UInt32 CleanupSetLastAccessTime = 0x20;
        public const UInt32 CleanupSetLastWriteTime = 0x40;
        public const UInt32 CleanupSetChangeTime = 0x80;

        /* Fallocate modes (LinFsp extension; the values of Linux's FALLOC_FL_*) */
        public const UInt32 FALLOCATE_KEEP_SIZE = 0x01;
        public const UInt32 FALLOCATE_PUNCH_HOLE = 0x02;
        public const UInt32 FALLOCATE_ZERO_RANGE = 0x10;

        /// <summary>A native directory buffer (FspFileSystem*DirectoryBuffer), one per directory.</summary>
        public class DirectoryBuffer : IDisposable
        {
            internal IntPtr DirBuffer;
            ~DirectoryBuffer()
            {
                Dispose(false);
            }
            public void Dispose()
            {
                lock (this)
                    Dispose(true);
                GC.SuppressFinalize(this);
            }
            protected virtual void Dispose(bool disposing)
            {
                Api.FspFileSystemDeleteDirectoryBuffer(ref DirBuffer);
            }
        }

        /* ---- lifecycle ---- */

        /// <summary>An exception escaped an operation: log it and return the status to answer with.</summary>
        public virtual Int32 ExceptionHandler(Exception ex)
        {
            DebugLog(ex.ToString());
            return STATUS_UNEXPECTED_IO_ERROR;
        }
        public virtual Int32 Init(Object Host)
        {
            return STATUS_SUCCESS;
        }
        public virtual Int32 Mounted(Object Host)
        {
            return STATUS_SUCCESS;
        }
        public virtual void Unmounted(Object Host)
        {
        }
        public virtual void DispatcherStopped(Boolean Normally)
        {
            StopServiceIfNecessary(Normally);
        }

        /* ---- operations ---- */

        public virtual Int32 GetVolumeInfo(out VolumeInfo VolumeInfo)
        {
            VolumeInfo = default(VolumeInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 SetVolumeLabel(String VolumeLabel, out VolumeInfo VolumeInfo)
        {
            VolumeInfo = default(VolumeInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        /// <summary>SecurityDescriptor is non-null (empty) on entry when it is wanted; assign it.</summary>
        public virtual Int32 GetSecurityByName(String FileName, out UInt32 FileAttributes,
            ref Byte[] SecurityDescriptor)
        {
            FileAttributes = default(UInt32);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 Create(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            UInt32 FileAttributes, Byte[] SecurityDescriptor, UInt64 AllocationSize,
            out Object FileNode, out Object FileDesc, out FileInfo FileInfo, out String NormalizedName)
        {
            FileNode = default(Object);
            FileDesc = default(Object);
            FileInfo = default(FileInfo);
            NormalizedName = default(String);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 CreateEx(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            UInt32 FileAttributes, Byte[] SecurityDescriptor, UInt64 AllocationSize, IntPtr ExtraBuffer,
            UInt32 ExtraLength, Boolean ExtraBufferIsReparsePoint, out Object FileNode,
            out Object FileDesc, out FileInfo FileInfo, out String NormalizedName)
        {
            return Create(FileName, CreateOptions, GrantedAccess, FileAttributes, SecurityDescriptor,
                AllocationSize, out FileNode, out FileDesc, out FileInfo, out NormalizedName);
        }
        public virtual Int32 Open(String FileName, UInt32 CreateOptions, UInt32 GrantedAccess,
            out Object FileNode, out Object FileDesc, out FileInfo FileInfo, out String NormalizedName)
        {
            FileNode = default(Object);
            FileDesc = default(Object);
            FileInfo = default(FileInfo);
            NormalizedName = default(String);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 Overwrite(Object FileNode, Object FileDesc, UInt32 FileAttributes,
            Boolean ReplaceFileAttributes, UInt64 AllocationSize, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 OverwriteEx(Object FileNode, Object FileDesc, UInt32 FileAttributes,
            Boolean ReplaceFileAttributes, UInt64 AllocationSize, IntPtr Ea, UInt32 EaLength,
            out FileInfo FileInfo)
        {
            return Overwrite(FileNode, FileDesc, FileAttributes, ReplaceFileAttributes, AllocationSize,
                out FileInfo);
        }
        public virtual void Cleanup(Object FileNode, Object FileDesc, String FileName, UInt32 Flags)
        {
        }
        public virtual void Close(Object FileNode, Object FileDesc)
        {
        }
        public virtual Int32 Read(Object FileNode, Object FileDesc, IntPtr Buffer, UInt64 Offset,
            UInt32 Length, out UInt32 BytesTransferred)
        {
            BytesTransferred = default(UInt32);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 Write(Object FileNode, Object FileDesc, IntPtr Buffer, UInt64 Offset,
            UInt32 Length, Boolean WriteToEndOfFile, Boolean ConstrainedIo, out UInt32 BytesTransferred,
            out FileInfo FileInfo)
        {
            BytesTransferred = default(UInt32);
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 Flush(Object FileNode, Object FileDesc, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 GetFileInfo(Object FileNode, Object FileDesc, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 SetBasicInfo(Object FileNode, Object FileDesc, UInt32 FileAttributes,
            UInt64 CreationTime, UInt64 LastAccessTime, UInt64 LastWriteTime, UInt64 ChangeTime,
            out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 SetFileSize(Object FileNode, Object FileDesc, UInt64 NewSize,
            Boolean SetAllocationSize, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 CanDelete(Object FileNode, Object FileDesc, String FileName)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 SetDelete(Object FileNode, Object FileDesc, String FileName, Boolean DeleteFile)
        {
            if (DeleteFile)
                return CanDelete(FileNode, FileDesc, FileName);
            return STATUS_SUCCESS;
        }
        public virtual Int32 Rename(Object FileNode, Object FileDesc, String FileName, String NewFileName,
            Boolean ReplaceIfExists)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 GetSecurity(Object FileNode, Object FileDesc, ref Byte[] SecurityDescriptor)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 SetSecurity(Object FileNode, Object FileDesc, AccessControlSections Sections,
            Byte[] SecurityDescriptor)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 ReadDirectory(Object FileNode, Object FileDesc, String Pattern, String Marker,
            IntPtr Buffer, UInt32 Length, out UInt32 BytesTransferred)
        {
            return SeekableReadDirectory(FileNode, FileDesc, Pattern, Marker, Buffer, Length,
                out BytesTransferred);
        }
        /// <summary>Enumerator for SeekableReadDirectory/BufferedReadDirectory: true for each entry.</summary>
        public virtual Boolean ReadDirectoryEntry(Object FileNode, Object FileDesc, String Pattern,
            String Marker, ref Object Context, out String FileName, out FileInfo FileInfo)
        {
            FileName = default(String);
            FileInfo = default(FileInfo);
            return false;
        }
        public virtual Int32 GetDirInfoByName(Object FileNode, Object FileDesc, String FileName,
            out String NormalizedName, out FileInfo FileInfo)
        {
            NormalizedName = default(String);
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 GetStreamInfo(Object FileNode, Object FileDesc, IntPtr Buffer, UInt32 Length,
            out UInt32 BytesTransferred)
        {
            Object Context = null;
            String StreamName;
            UInt64 StreamSize, StreamAllocationSize;
            BytesTransferred = 0;
            while (GetStreamEntry(FileNode, FileDesc, ref Context, out StreamName, out StreamSize,
                out StreamAllocationSize))
            {
                if (!AddStreamInfo(StreamName, StreamSize, StreamAllocationSize, Buffer, Length,
                    ref BytesTransferred))
                    return STATUS_SUCCESS;
            }
            AddStreamInfoEnd(Buffer, Length, ref BytesTransferred);
            return STATUS_SUCCESS;
        }
        /// <summary>Enumerator for GetStreamInfo; an empty StreamName is the main stream.</summary>
        public virtual Boolean GetStreamEntry(Object FileNode, Object FileDesc, ref Object Context,
            out String StreamName, out UInt64 StreamSize, out UInt64 StreamAllocationSize)
        {
            StreamName = default(String);
            StreamSize = default(UInt64);
            StreamAllocationSize = default(UInt64);
            return false;
        }
        public virtual Int32 ResolveReparsePoints(String FileName, UInt32 ReparsePointIndex,
            Boolean ResolveLastPathComponent, out IoStatusBlock IoStatus, IntPtr Buffer, IntPtr PSize)
        {
            NativeIoStatusBlock io;
            IntPtr name = Utf32.Alloc(FileName);
            Int32 status;
            try
            {
                status = Api.FspFileSystemResolveReparsePoints(HostInternal.FileSystemHandle(),
                    FileSystemHost.GetReparsePointByNameDelegate, IntPtr.Zero, name, ReparsePointIndex,
                    (Byte)(ResolveLastPathComponent ? 1 : 0), out io, Buffer, PSize);
            }
            finally
            {
                Utf32.Free(name);
            }
            IoStatus.Status = (IntPtr)io.Status;
            IoStatus.Information = (IntPtr)(Int64)io.Information;
            return status;
        }
        /// <summary>For FindReparsePoint and the ResolveReparsePoints default: the reparse data of a path.</summary>
        public virtual Int32 GetReparsePointByName(String FileName, Boolean IsDirectory, ref Byte[] ReparseData)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 GetReparsePoint(Object FileNode, Object FileDesc, String FileName,
            ref Byte[] ReparseData)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 SetReparsePoint(Object FileNode, Object FileDesc, String FileName, Byte[] ReparseData)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 DeleteReparsePoint(Object FileNode, Object FileDesc, String FileName,
            Byte[] ReparseData)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        /// <summary>ioctl(2): on LinFsp ControlCode is the Linux request number (see doc/native-api.md).</summary>
        public virtual Int32 Control(Object FileNode, Object FileDesc, UInt32 ControlCode, IntPtr InputBuffer,
            UInt32 InputBufferLength, IntPtr OutputBuffer, UInt32 OutputBufferLength,
            out UInt32 BytesTransferred)
        {
            BytesTransferred = default(UInt32);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        public virtual Int32 GetEa(Object FileNode, Object FileDesc, IntPtr Ea, UInt32 EaLength,
            out UInt32 BytesTransferred)
        {
            Object Context = null;
            String EaName;
            Byte[] EaValue;
            Boolean NeedEa;
            BytesTransferred = 0;
            while (GetEaEntry(FileNode, FileDesc, ref Context, out EaName, out EaValue, out NeedEa))
            {
                if (!AddEa(EaName, EaValue, NeedEa, Ea, EaLength, ref BytesTransferred))
                    return STATUS_BUFFER_OVERFLOW;
            }
            AddEaEnd(Ea, EaLength, ref BytesTransferred);
            return STATUS_SUCCESS;
        }
        /// <summary>Enumerator for GetEa.</summary>
        public virtual Boolean GetEaEntry(Object FileNode, Object FileDesc, ref Object Context,
            out String EaName, out Byte[] EaValue, out Boolean NeedEa)
        {
            EaName = default(String);
            EaValue = default(Byte[]);
            NeedEa = default(Boolean);
            return false;
        }
        public virtual Int32 SetEa(Object FileNode, Object FileDesc, IntPtr Ea, UInt32 EaLength,
            out FileInfo FileInfo)
        {
            Int32 Result = SetEaEntries(FileNode, FileDesc, Ea, EaLength);
            if (0 > Result)
            {
                FileInfo = default(FileInfo);
                return Result;
            }
            return GetFileInfo(FileNode, FileDesc, out FileInfo);
        }
        /// <summary>Called by SetEaEntries once per EA; a null EaValue deletes it.</summary>
        public virtual Int32 SetEaEntry(Object FileNode, Object FileDesc, ref Object Context, String EaName,
            Byte[] EaValue, Boolean NeedEa)
        {
            return STATUS_INVALID_DEVICE_REQUEST;
        }

        /// <summary>
        /// LinFsp extension (link(2); needs FileSystemHost.HardLinks): make NewFileName another name
        /// of the open file. STATUS_OBJECT_NAME_COLLISION when it exists; FileInfo with the new
        /// HardLinks count.
        /// </summary>
        public virtual Int32 CreateHardLink(Object FileNode, Object FileDesc, String FileName,
            String NewFileName, out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }

        /// <summary>
        /// LinFsp extension: fallocate(2) on an open file, with Linux's semantics (the native API's
        /// Fallocate, doc/native-api.md). Mode is 0 (allocate; a range past the end grows the
        /// file) or FALLOCATE_* bits: KEEP_SIZE (never changes the size), PUNCH_HOLE | KEEP_SIZE
        /// (the range reads as zeros), ZERO_RANGE [| KEEP_SIZE]. The engine has checked the
        /// arguments. STATUS_NOT_SUPPORTED for a mode not done (EOPNOTSUPP); FileInfo afterwards.
        /// Not overridden: the engine serves modes 0 and KEEP_SIZE with SetFileSize and refuses
        /// the others.
        /// </summary>
        public virtual Int32 Fallocate(Object FileNode, Object FileDesc, UInt32 Mode, UInt64 Offset, UInt64 Length,
            out FileInfo FileInfo)
        {
            FileInfo = default(FileInfo);
            return STATUS_INVALID_DEVICE_REQUEST;
        }

        /* ---- helpers ---- */

        /// <summary>Win32 error code to NTSTATUS (the common file-system errors; others: STATUS_UNSUCCESSFUL).</summary>
        public static Int32 NtStatusFromWin32(UInt32 Error)
        {
            return Win32Status.ToNtStatus(Error);
        }
        public static UInt32 Win32FromNtStatus(Int32 Status)
        {
            return Win32Status.FromNtStatus(Status);
        }
        /// <summary>LinFsp extension: errno to NTSTATUS (FspNtStatusFromErrno).</summary>
        public static Int32 NtStatusFromErrno(Int32 Errno)
        {
            return Api.FspNtStatusFromErrno(Errno);
        }
        /// <summary>LinFsp extension: NTSTATUS to a positive errno (FspErrnoFromNtStatus).</summary>
        public static Int32 ErrnoFromNtStatus(Int32 Status)
        {
            return Api.FspErrnoFromNtStatus(Status);
        }
        /// <summary>The pid of the process that made the current request (valid in every callback on LinFsp).</summary>
        public static int GetOperationProcessId()
        {
            return (int)Api.FspFileSystemOperationProcessIdF();
        }
        /// <summary>
        /// LinFsp extension (doc/native-api.md, "Cleanup reports the outcome of a delete"): from
        /// Cleanup with CleanupDelete, say whether the name is gone (STATUS_SUCCESS) or why not
        /// (STATUS_DIRECTORY_NOT_EMPTY, STATUS_ACCESS_DENIED, ...); unlink(2) or rmdir(2) then
        /// fails with that error and the name stays. Without it the engine opens the name again
        /// to see whether it is gone (EIO when it is not). No effect outside such a Cleanup.
        /// </summary>
        public static unsafe void SetCleanupStatus(Int32 Status)
        {
            IntPtr ctx = Api.FspFileSystemGetOperationContext();
            IntPtr rsp = IntPtr.Zero == ctx ? IntPtr.Zero : Marshal.ReadIntPtr(ctx, IntPtr.Size);
            if (IntPtr.Zero != rsp)
                *(Int32 *)((byte *)rsp + NativeOffsets.ResponseStatus) = Status;
        }
        /// <summary>
        /// LinFsp extension: the uid and gid (fsuid/fsgid) of the process that made the current
        /// request; false outside a callback.
        /// </summary>
        public static unsafe Boolean GetOperationCaller(out UInt32 Uid, out UInt32 Gid)
        {
            IntPtr ctx = Api.FspFileSystemGetOperationContext();
            IntPtr req = IntPtr.Zero == ctx ? IntPtr.Zero : Marshal.ReadIntPtr(ctx);
            if (IntPtr.Zero == req)
            {
                Uid = Gid = 0;
                return false;
            }
            UInt32 *p = (UInt32 *)((byte *)req + NativeOffsets.RequestCallerUid);
            Uid = p[0];
            Gid = p[1];
            return true;
        }

        [Obsolete("use ModifySecurityDescriptorEx")]
        public static Byte[] ModifySecurityDescriptor(Byte[] SecurityDescriptor, AccessControlSections Sections,
            Byte[] ModificationDescriptor)
        {
            Byte[] Result = null;
            if (0 > ModifySecurityDescriptorEx(SecurityDescriptor, Sections, ModificationDescriptor, ref Result))
                return null;
            return Result;
        }
        /// <summary>Apply a SetSecurity modification (FspSetSecurityDescriptor); ModifiedDescriptor is set on success only.</summary>
        public static unsafe Int32 ModifySecurityDescriptorEx(Byte[] SecurityDescriptor,
            AccessControlSections Sections, Byte[] ModificationDescriptor, ref Byte[] ModifiedDescriptor)
        {
            if (null == ModificationDescriptor || !IsValidSecurityDescriptor(ModificationDescriptor) ||
                (null != SecurityDescriptor && !IsValidSecurityDescriptor(SecurityDescriptor)))
                return STATUS_INVALID_SECURITY_DESCR;
            IntPtr Result;
            Int32 Status;
            fixed (byte *s = SecurityDescriptor)
            fixed (byte *m = ModificationDescriptor)
                Status = Api.FspSetSecurityDescriptor(null != s ? s : m, FileSystemHost.FromSections(Sections), m,
                    out Result);
            if (0 > Status)
                return Status;
            try
            {
                ModifiedDescriptor = CopySecurityDescriptor(Result);
            }
            finally
            {
                Api.FspDeleteSecurityDescriptor(Result, IntPtr.Zero);
            }
            return null == ModifiedDescriptor ? STATUS_INVALID_SECURITY_DESCR : STATUS_SUCCESS;
        }
        /// <summary>
        /// LinFsp extension: a Windows path (or one name) as the POSIX bytes LinFsp's path mapping
        /// gives (FspPosixMapWindowsToPosixPathEx with translation: '\' to '/', the characters
        /// Windows forbids back from U+F0xx, U+DC80..U+DCFF back to the bytes that were not
        /// UTF-8); no NUL at the end. Null when the path cannot be mapped.
        /// </summary>
        public static Byte[] PosixMapWindowsToPosixPath(String WindowsPath)
        {
            IntPtr w = Utf32.Alloc(WindowsPath ?? "");
            try
            {
                IntPtr p;
                if (0 > Api.FspPosixMapWindowsToPosixPathEx(w, out p, 1))
                    return null;
                try
                {
                    int n = 0;
                    while (0 != Marshal.ReadByte(p, n))
                        n++;
                    Byte[] r = new Byte[n];
                    Marshal.Copy(p, r, 0, n);
                    return r;
                }
                finally
                {
                    Api.FspPosixDeletePath(p);
                }
            }
            finally
            {
                Utf32.Free(w);
            }
        }
        /// <summary>
        /// LinFsp extension: POSIX path bytes (no NUL) as the Windows path LinFsp shows for them
        /// (FspPosixMapPosixToWindowsPathEx with translation); null when they cannot be mapped.
        /// </summary>
        public static unsafe String PosixMapPosixToWindowsPath(Byte[] PosixPath)
        {
            if (null == PosixPath)
                return null;
            if (0 <= Array.IndexOf(PosixPath, (Byte)0))
                return null;
            Byte[] z = new Byte[PosixPath.Length + 1];
            Buffer.BlockCopy(PosixPath, 0, z, 0, PosixPath.Length);
            IntPtr w;
            fixed (byte *p = z)
                if (0 > Api.FspPosixMapPosixToWindowsPathEx(p, out w, 1))
                    return null;
            try
            {
                return Utf32.Decode(w);
            }
            finally
            {
                Api.FspPosixDeletePath(w);
            }
        }

        /// <summary>LinFsp extension: is the array a valid self-relative security descriptor?</summary>
        public static unsafe Boolean IsValidSecurityDescriptor(Byte[] SecurityDescriptor)
        {
            if (null == SecurityDescriptor || 20 > SecurityDescriptor.Length)
                return false;
            fixed (byte *p = SecurityDescriptor)
                return 0 != Api.FspIsValidSecurityDescriptor(p, (UIntPtr)SecurityDescriptor.Length);
        }
        /// <summary>LinFsp extension: SDDL to a self-relative security descriptor (null on failure).</summary>
        public static Byte[] SecurityDescriptorFromString(String Sddl)
        {
            IntPtr s = Utf32.Alloc(Sddl);
            try
            {
                IntPtr sd;
                UInt32 size;
                if (IntPtr.Zero == s || 0 > Api.FspSddlToSecurityDescriptor(s, out sd, out size))
                    return null;
                try
                {
                    return CopySecurityDescriptor(sd);
                }
                finally
                {
                    Api.FspDeleteSecurityDescriptor(sd, IntPtr.Zero);
                }
            }
            finally
            {
                Utf32.Free(s);
            }
        }
        /// <summary>LinFsp extension: a security descriptor as SDDL (owner, group and DACL; null on failure).</summary>
        public static unsafe String SecurityDescriptorToString(Byte[] SecurityDescriptor)
        {
            if (!IsValidSecurityDescriptor(SecurityDescriptor))
                return null;
            IntPtr sddl;
            fixed (byte *p = SecurityDescriptor)
                if (0 > Api.FspSecurityDescriptorToSddl(p, 0x7 /* OWNER|GROUP|DACL */, out sddl))
                    return null;
            try
            {
                return Utf32.Decode(sddl);
            }
            finally
            {
                Api.free(sddl);
            }
        }
        /// <summary>LinFsp extension: uid, gid and mode to a security descriptor (the POSIX mapping).</summary>
        public static Byte[] PosixMapPermissionsToSecurityDescriptor(UInt32 Uid, UInt32 Gid, UInt32 Mode)
        {
            IntPtr sd;
            if (0 > Api.FspPosixMapPermissionsToSecurityDescriptor(Uid, Gid, Mode, out sd))
                return null;
            try
            {
                return CopySecurityDescriptor(sd);
            }
            finally
            {
                Api.FspDeleteSecurityDescriptor(sd, IntPtr.Zero);
            }
        }
        /// <summary>LinFsp extension: a security descriptor to uid, gid and mode (the POSIX mapping).</summary>
        public static unsafe Int32 PosixMapSecurityDescriptorToPermissions(Byte[] SecurityDescriptor,
            out UInt32 Uid, out UInt32 Gid, out UInt32 Mode)
        {
            Uid = Gid = Mode = 0;
            if (!IsValidSecurityDescriptor(SecurityDescriptor))
                return STATUS_INVALID_SECURITY_DESCR;
            fixed (byte *p = SecurityDescriptor)
                return Api.FspPosixMapSecurityDescriptorToPermissions(p, out Uid, out Gid, out Mode);
        }
        internal static unsafe Byte[] CopySecurityDescriptor(IntPtr sd)
        {
            if (IntPtr.Zero == sd)
                return null;
            UInt32 len = Api.FspGetSecurityDescriptorLength(sd);
            if (0 == len)
                return null;
            Byte[] r = new Byte[len];
            Marshal.Copy(sd, r, 0, (int)len);
            return r;
        }

        /// <summary>The default ReadDirectory: enumerate with ReadDirectoryEntry into Buffer.</summary>
        public Int32 SeekableReadDirectory(Object FileNode, Object FileDesc, String Pattern, String Marker,
            IntPtr Buffer, UInt32 Length, out UInt32 BytesTransferred)
        {
            Object Context = null;
            String FileName;
            FileInfo FileInfo;
            BytesTransferred = 0;
            while (ReadDirectoryEntry(FileNode, FileDesc, Pattern, Marker, ref Context, out FileName,
                out FileInfo))
            {
                if (!AddDirInfo(FileName, ref FileInfo, Buffer, Length, ref BytesTransferred))
                    return STATUS_SUCCESS;
            }
            AddDirInfoEnd(Buffer, Length, ref BytesTransferred);
            return STATUS_SUCCESS;
        }
        /// <summary>
        /// ReadDirectory through a directory buffer: filled from ReadDirectoryEntry when Marker is
        /// null (a new listing) or the buffer is empty, then read natively after Marker.
        /// </summary>
        public Int32 BufferedReadDirectory(DirectoryBuffer DirectoryBuffer, Object FileNode, Object FileDesc,
            String Pattern, String Marker, IntPtr Buffer, UInt32 Length, out UInt32 BytesTransferred)
        {
            Object Context = null;
            String FileName;
            FileInfo FileInfo;
            Int32 Status;
            BytesTransferred = 0;
            if (0 != Api.FspFileSystemAcquireDirectoryBuffer(ref DirectoryBuffer.DirBuffer,
                (Byte)(null == Marker ? 1 : 0), out Status))
            {
                try
                {
                    while (ReadDirectoryEntry(FileNode, FileDesc, Pattern, Marker, ref Context,
                        out FileName, out FileInfo))
                    {
                        Status = FillDirectoryBuffer(DirectoryBuffer, FileName, ref FileInfo);
                        if (0 > Status)
                            break;
                    }
                }
                finally
                {
                    Api.FspFileSystemReleaseDirectoryBuffer(ref DirectoryBuffer.DirBuffer);
                }
            }
            if (0 > Status)
                return Status;
            IntPtr m = Utf32.Alloc(Marker);
            try
            {
                unsafe
                {
                    UInt32 n = 0;
                    Api.FspFileSystemReadDirectoryBuffer(ref DirectoryBuffer.DirBuffer, m, Buffer, Length, &n);
                    BytesTransferred = n;
                }
            }
            finally
            {
                Utf32.Free(m);
            }
            return STATUS_SUCCESS;
        }
        private static unsafe Int32 FillDirectoryBuffer(DirectoryBuffer DirectoryBuffer, String FileName,
            ref FileInfo FileInfo)
        {
            int n = Math.Min(Utf32.EncodedLength(FileName), 255);
            byte *buf = stackalloc byte[DirInfo.NameOffset + n * 4];
            DirInfo *d = (DirInfo *)buf;
            *d = default(DirInfo);
            d->Size = (UInt16)(DirInfo.NameOffset + n * 4);
            d->FileInfo = FileInfo;
            Utf32.Encode(FileName, (UInt32 *)(buf + DirInfo.NameOffset), n);
            Int32 Status;
            Api.FspFileSystemFillDirectoryBuffer(ref DirectoryBuffer.DirBuffer, (IntPtr)buf, out Status);
            return Status;
        }

        /// <summary>
        /// LinFsp addition (public here; WinFsp keeps it internal): append one directory entry to a
        /// ReadDirectory buffer; false when it is full.
        /// </summary>
        public static unsafe Boolean AddDirInfo(String FileName, ref FileInfo FileInfo, IntPtr Buffer,
            UInt32 Length, ref UInt32 BytesTransferred)
        {
            int n = Math.Min(Utf32.EncodedLength(FileName), 255);
            byte *buf = stackalloc byte[DirInfo.NameOffset + n * 4];
            DirInfo *d = (DirInfo *)buf;
            *d = default(DirInfo);
            d->Size = (UInt16)(DirInfo.NameOffset + n * 4);
            d->FileInfo = FileInfo;
            Utf32.Encode(FileName, (UInt32 *)(buf + DirInfo.NameOffset), n);
            UInt32 bytes = BytesTransferred;
            Boolean ok = 0 != Api.FspFileSystemAddDirInfo((IntPtr)buf, Buffer, Length, &bytes);
            BytesTransferred = bytes;
            return ok;
        }
        /// <summary>Append the end marker to a ReadDirectory buffer.</summary>
        public static unsafe void AddDirInfoEnd(IntPtr Buffer, UInt32 Length, ref UInt32 BytesTransferred)
        {
            UInt32 bytes = BytesTransferred;
            Api.FspFileSystemAddDirInfo(IntPtr.Zero, Buffer, Length, &bytes);
            BytesTransferred = bytes;
        }
        /// <summary>Fill a native DIR_INFO for GetDirInfoByName.</summary>
        internal static unsafe void FillDirInfo(IntPtr Native, String FileName, ref FileInfo FileInfo)
        {
            int n = Math.Min(Utf32.EncodedLength(FileName), 255);
            DirInfo *d = (DirInfo *)Native;
            *d = default(DirInfo);
            d->Size = (UInt16)(DirInfo.NameOffset + n * 4);
            d->FileInfo = FileInfo;
            Utf32.Encode(FileName, (UInt32 *)((byte *)Native + DirInfo.NameOffset), n);
        }
        private static unsafe Boolean AddStreamInfo(String StreamName, UInt64 StreamSize,
            UInt64 StreamAllocationSize, IntPtr Buffer, UInt32 Length, ref UInt32 BytesTransferred)
        {
            /* ":NAME:$DATA" (an empty name: "::$DATA", the main stream) */
            String full = ":" + (StreamName ?? "") + ":$DATA";
            int n = Math.Min(Utf32.EncodedLength(full), 255 + 7);
            byte *buf = stackalloc byte[StreamInfo.NameOffset + n * 4];
            StreamInfo *s = (StreamInfo *)buf;
            s->Size = (UInt16)(StreamInfo.NameOffset + n * 4);
            s->StreamSize = StreamSize;
            s->StreamAllocationSize = StreamAllocationSize;
            Utf32.Encode(full, (UInt32 *)(buf + StreamInfo.NameOffset), n);
            UInt32 bytes = BytesTransferred;
            Boolean ok = 0 != Api.FspFileSystemAddStreamInfo((IntPtr)buf, Buffer, Length, &bytes);
            BytesTransferred = bytes;
            return ok;
        }
        private static unsafe void AddStreamInfoEnd(IntPtr Buffer, UInt32 Length, ref UInt32 BytesTransferred)
        {
            UInt32 bytes = BytesTransferred;
            Api.FspFileSystemAddStreamInfo(IntPtr.Zero, Buffer, Length, &bytes);
            BytesTransferred = bytes;
        }

        /* EA names are bytes on Linux (xattr names): they are decoded as UTF-8, with bytes that are
         * not UTF-8 carried as U+DC80..U+DCFF (as LinFsp does for paths), so every name round-trips. */
        internal static unsafe String EaNameDecode(byte *p, int n)
        {
            byte *z = stackalloc byte[n + 1];
            for (int i = 0; i < n; i++)
                z[i] = p[i];
            z[n] = 0;
            IntPtr w;
            if (0 > Api.FspPosixMapPosixToWindowsPathEx(z, out w, 0))
                return Encoding.UTF8.GetString(new ReadOnlySpanShim(p, n).ToArray());
            try
            {
                return Utf32.Decode(w);
            }
            finally
            {
                Api.FspPosixDeletePath(w);
            }
        }
        internal static Byte[] EaNameEncode(String name)
        {
            IntPtr w = Utf32.Alloc(name ?? "");
            try
            {
                IntPtr p;
                if (0 > Api.FspPosixMapWindowsToPosixPathEx(w, out p, 0))
                    return Encoding.UTF8.GetBytes(name ?? "");
                try
                {
                    int n = 0;
                    while (0 != Marshal.ReadByte(p, n))
                        n++;
                    Byte[] r = new Byte[n];
                    Marshal.Copy(p, r, 0, n);
                    return r;
                }
                finally
                {
                    Api.FspPosixDeletePath(p);
                }
            }
            finally
            {
                Utf32.Free(w);
            }
        }
        private unsafe struct ReadOnlySpanShim
        {
            private readonly byte *p;
            private readonly int n;
            internal ReadOnlySpanShim(byte *p, int n)
            {
                this.p = p;
                this.n = n;
            }
            internal Byte[] ToArray()
            {
                Byte[] r = new Byte[n];
                Marshal.Copy((IntPtr)p, r, 0, n);
                return r;
            }
        }

        /// <summary>LinFsp addition: append one EA to a GetEa buffer; false when it is full.</summary>
        public static unsafe Boolean AddEa(String EaName, Byte[] EaValue, Boolean NeedEa, IntPtr Ea,
            UInt32 EaLength, ref UInt32 BytesTransferred)
        {
            Byte[] name = EaNameEncode(EaName);
            int nl = Math.Min(name.Length, 255);
            int vl = null == EaValue ? 0 : Math.Min(EaValue.Length, 0xFFFF);
            int size = 8 + nl + 1 + vl;
            byte[] one = new byte[size];
            fixed (byte *p = one)
            {
                *(UInt32 *)p = 0;
                p[4] = (byte)(NeedEa ? 0x80 : 0);
                p[5] = (byte)nl;
                *(UInt16 *)(p + 6) = (UInt16)vl;
                Marshal.Copy(name, 0, (IntPtr)(p + 8), nl);
                p[8 + nl] = 0;
                if (0 < vl)
                    Marshal.Copy(EaValue, 0, (IntPtr)(p + 9 + nl), vl);
                UInt32 bytes = BytesTransferred;
                Boolean ok = 0 != Api.FspFileSystemAddEa((IntPtr)p, Ea, EaLength, &bytes);
                BytesTransferred = bytes;
                return ok;
            }
        }
        /// <summary>Terminate a GetEa buffer.</summary>
        public static unsafe void AddEaEnd(IntPtr Ea, UInt32 EaLength, ref UInt32 BytesTransferred)
        {
            UInt32 bytes = BytesTransferred;
            Api.FspFileSystemAddEa(IntPtr.Zero, Ea, EaLength, &bytes);
            BytesTransferred = bytes;
        }
        /// <summary>Walk a FILE_FULL_EA_INFORMATION chain and call SetEaEntry for each; stops at the first failure.</summary>
        public unsafe Int32 SetEaEntries(Object FileNode, Object FileDesc, IntPtr Ea, UInt32 EaLength)
        {
            Object Context = null;
            byte *p = (byte *)Ea, end = p + EaLength;
            while (IntPtr.Zero != Ea && p + 8 <= end)
            {
                UInt32 next = *(UInt32 *)p;
                int nl = p[5], vl = *(UInt16 *)(p + 6);
                if (p + 8 + nl + 1 + vl > end)
                    return STATUS_EA_LIST_INCONSISTENT;
                String name = EaNameDecode(p + 8, nl);
                Byte[] value = null;
                if (0 < vl)
                {
                    value = new Byte[vl];
                    Marshal.Copy((IntPtr)(p + 9 + nl), value, 0, vl);
                }
                Int32 Status = SetEaEntry(FileNode, FileDesc, ref Context, name, value, 0 != (p[4] & 0x80));
                if (0 > Status)
                    return Status;
                if (0 == next)
                    break;
                if (next > end - p)
                    return STATUS_EA_LIST_INCONSISTENT;
                p += next;
            }
            return STATUS_SUCCESS;
        }
        /// <summary>The packed size of an EA, for FileInfo.EaSize: 5 + name bytes + value bytes.</summary>
        public static UInt32 GetEaEntrySize(String EaName, Byte[] EaValue, Boolean NeedEa)
        {
            return 5 + (UInt32)EaNameEncode(EaName).Length + (null == EaValue ? 0u : (UInt32)EaValue.Length);
        }

        /// <summary>Call GetReparsePointByName for each component (use inside GetSecurityByName).</summary>
        public Boolean FindReparsePoint(String FileName, out UInt32 ReparsePointIndex)
        {
            IntPtr name = Utf32.Alloc(FileName);
            try
            {
                return 0 != Api.FspFileSystemFindReparsePoint(HostInternal.FileSystemHandle(),
                    FileSystemHost.GetReparsePointByNameDelegate, IntPtr.Zero, name, out ReparsePointIndex);
            }
            finally
            {
                Utf32.Free(name);
            }
        }
        public static Byte[] MakeReparsePoint(IntPtr Buffer, UInt32 Size)
        {
            if (IntPtr.Zero == Buffer)
                return null;
            Byte[] r = new Byte[Size];
            Marshal.Copy(Buffer, r, 0, (int)Size);
            return r;
        }
        public static UInt32 GetReparseTag(Byte[] ReparseData)
        {
            return BitConverter.ToUInt32(ReparseData, 0);
        }
        public static unsafe Int32 CanReplaceReparsePoint(Byte[] CurrentReparseData, Byte[] ReplaceReparseData)
        {
            fixed (byte *c = CurrentReparseData)
            fixed (byte *r = ReplaceReparseData)
                return Api.FspFileSystemCanReplaceReparsePoint(c,
                    (UIntPtr)(null == CurrentReparseData ? 0 : CurrentReparseData.Length), r,
                    (UIntPtr)(null == ReplaceReparseData ? 0 : ReplaceReparseData.Length));
        }

        /// <summary>Stop the Service this file system runs in when the dispatcher stopped abnormally.</summary>
        public void StopServiceIfNecessary(Boolean Normally)
        {
            if (!Normally)
            {
                Service s = Service.Running;
                if (null != s)
                    s.Stop();
            }
        }

        /// <summary>LinFsp extension: a line in the debug log (FspDebugLog; -D of the examples).</summary>
        public static unsafe void DebugLog(String Message)
        {
            byte *fmt = stackalloc byte[4];
            fmt[0] = (byte)'%';
            fmt[1] = (byte)'s';
            fmt[2] = (byte)'\n';
            fmt[3] = 0;
            IntPtr m = Utf32.AllocUtf8(Message);
            try
            {
                Api.FspDebugLog(fmt, (byte *)m);
            }
            finally
            {
                Marshal.FreeHGlobal(m);
            }
        }

        /// <summary>The host this file system is mounted by (set by FileSystemHost).</summary>
        internal FileSystemHost HostInternal;
    }
}
