/*
 * dotnet/Fsp/FileSystemHost.cs - mounts a FileSystemBase (WinFsp's Fsp.FileSystemHost): the volume
 * parameters, Mount/Unmount, pending completions, notifications, and the trampolines the engine
 * calls.
 *
 * Lifetime and threads:
 * - the trampolines are static methods behind delegates held in static fields for the life of the
 *   process; the interface table made from them is built once per file system class and kept
 *   (the engine may hold it for as long as it lives);
 * - while mounted, FSP_FILE_SYSTEM.UserContext holds a normal (strong) GCHandle to the host, so a
 *   mounted host is never collected; Unmount/Dispose clears UserContext, deletes the native file
 *   system and frees the handle;
 * - every open is one normal GCHandle to {FileNode, FileDesc}, freed after Close even when Close
 *   throws;
 * - an exception in a callback becomes FileSystemBase.ExceptionHandler's status
 *   (STATUS_UNEXPECTED_IO_ERROR if the handler throws too) and never reaches native code; in a
 *   Cleanup that deletes, it is reported as the delete's failure (SetCleanupStatus).
 */
using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using Fsp.Interop;

namespace Fsp
{
    public class FileSystemHost : IDisposable
    {
        private const Int32 STATUS_SUCCESS = 0;
        private const Int32 STATUS_UNEXPECTED_IO_ERROR = unchecked((Int32)0xC00000E9);
        private const Int32 STATUS_BUFFER_OVERFLOW = unchecked((Int32)0x80000005);
        private const Int32 STATUS_BUFFER_TOO_SMALL = unchecked((Int32)0xC0000023);
        private const Int32 STATUS_INVALID_PARAMETER = unchecked((Int32)0xC000000D);
        private const Int32 STATUS_INSUFFICIENT_RESOURCES = unchecked((Int32)0xC000009A);

        private VolumeParams _VolumeParams;
        private readonly FileSystemBase _FileSystem;
        private IntPtr _FileSystemPtr;
        private GCHandle _SelfHandle;
        private String _MountOptions;

        public FileSystemHost(FileSystemBase FileSystem)
        {
            if (null == FileSystem)
                throw new ArgumentNullException("FileSystem");
            _FileSystem = FileSystem;
            _VolumeParams.Version = (UInt16)Marshal.SizeOf(typeof(VolumeParams));
        }

        public void Dispose()
        {
            lock (this)
                Dispose(true);
            GC.SuppressFinalize(this);
        }

        /* No finalizer: a mounted host is rooted by its GCHandle, and an unmounted one holds nothing native. */
        protected virtual void Dispose(bool disposing)
        {
            if (IntPtr.Zero == _FileSystemPtr)
                return;
            Api.FspFileSystemStopDispatcher(_FileSystemPtr);
            if (disposing)
            {
                try
                {
                    _FileSystem.Unmounted(this);
                }
                catch (Exception ex)
                {
                    CallExceptionHandler(_FileSystem, ex);
                }
            }
            DeleteNative();
        }

        private void DeleteNative()
        {
            /* No callback may find this host any more: clear the link before the native delete. */
            Marshal.WriteIntPtr(_FileSystemPtr, NativeOffsets.FileSystemUserContext, IntPtr.Zero);
            Api.FspFileSystemDelete(_FileSystemPtr);
            _FileSystemPtr = IntPtr.Zero;
            if (_SelfHandle.IsAllocated)
                _SelfHandle.Free();
            _FileSystem.HostInternal = null;
        }

        /* ---- volume parameters (set them in FileSystemBase.Init) ---- */

        public UInt16 SectorSize
        {
            get { return _VolumeParams.SectorSize; }
            set { _VolumeParams.SectorSize = value; }
        }
        public UInt16 SectorsPerAllocationUnit
        {
            get { return _VolumeParams.SectorsPerAllocationUnit; }
            set { _VolumeParams.SectorsPerAllocationUnit = value; }
        }
        public UInt16 MaxComponentLength
        {
            get { return _VolumeParams.MaxComponentLength; }
            set { _VolumeParams.MaxComponentLength = value; }
        }
        public UInt64 VolumeCreationTime
        {
            get { return _VolumeParams.VolumeCreationTime; }
            set { _VolumeParams.VolumeCreationTime = value; }
        }
        public UInt32 VolumeSerialNumber
        {
            get { return _VolumeParams.VolumeSerialNumber; }
            set { _VolumeParams.VolumeSerialNumber = value; }
        }
        public UInt32 FileInfoTimeout
        {
            get { return _VolumeParams.FileInfoTimeout; }
            set { _VolumeParams.FileInfoTimeout = value; }
        }
        public UInt32 VolumeInfoTimeout
        {
            get { return Timeout(VolumeParams.VolumeInfoTimeoutValid, _VolumeParams.VolumeInfoTimeout); }
            set { _VolumeParams.AdditionalFlags |= VolumeParams.VolumeInfoTimeoutValid; _VolumeParams.VolumeInfoTimeout = value; }
        }
        public UInt32 DirInfoTimeout
        {
            get { return Timeout(VolumeParams.DirInfoTimeoutValid, _VolumeParams.DirInfoTimeout); }
            set { _VolumeParams.AdditionalFlags |= VolumeParams.DirInfoTimeoutValid; _VolumeParams.DirInfoTimeout = value; }
        }
        public UInt32 SecurityTimeout
        {
            get { return Timeout(VolumeParams.SecurityTimeoutValid, _VolumeParams.SecurityTimeout); }
            set { _VolumeParams.AdditionalFlags |= VolumeParams.SecurityTimeoutValid; _VolumeParams.SecurityTimeout = value; }
        }
        public UInt32 StreamInfoTimeout
        {
            get { return Timeout(VolumeParams.StreamInfoTimeoutValid, _VolumeParams.StreamInfoTimeout); }
            set { _VolumeParams.AdditionalFlags |= VolumeParams.StreamInfoTimeoutValid; _VolumeParams.StreamInfoTimeout = value; }
        }
        public UInt32 EaTimeout
        {
            get { return Timeout(VolumeParams.EaTimeoutValid, _VolumeParams.EaTimeout); }
            set { _VolumeParams.AdditionalFlags |= VolumeParams.EaTimeoutValid; _VolumeParams.EaTimeout = value; }
        }
        private UInt32 Timeout(UInt32 Valid, UInt32 Value)
        {
            return 0 != (_VolumeParams.AdditionalFlags & Valid) ? Value : _VolumeParams.FileInfoTimeout;
        }

        /* The Boolean setters set or clear their bit (WinFsp's only ever set it). */
        private Boolean Flag(UInt32 Bit)
        {
            return 0 != (_VolumeParams.Flags & Bit);
        }
        private void Flag(UInt32 Bit, Boolean Value)
        {
            if (Value)
                _VolumeParams.Flags |= Bit;
            else
                _VolumeParams.Flags &= ~Bit;
        }
        private Boolean Flag2(UInt32 Bit)
        {
            return 0 != (_VolumeParams.AdditionalFlags & Bit);
        }
        private void Flag2(UInt32 Bit, Boolean Value)
        {
            if (Value)
                _VolumeParams.AdditionalFlags |= Bit;
            else
                _VolumeParams.AdditionalFlags &= ~Bit;
        }
        public Boolean CaseSensitiveSearch { get { return Flag(VolumeParams.CaseSensitiveSearch); } set { Flag(VolumeParams.CaseSensitiveSearch, value); } }
        public Boolean CasePreservedNames { get { return Flag(VolumeParams.CasePreservedNames); } set { Flag(VolumeParams.CasePreservedNames, value); } }
        public Boolean UnicodeOnDisk { get { return Flag(VolumeParams.UnicodeOnDisk); } set { Flag(VolumeParams.UnicodeOnDisk, value); } }
        public Boolean PersistentAcls { get { return Flag(VolumeParams.PersistentAcls); } set { Flag(VolumeParams.PersistentAcls, value); } }
        public Boolean ReparsePoints { get { return Flag(VolumeParams.ReparsePoints); } set { Flag(VolumeParams.ReparsePoints, value); } }
        public Boolean ReparsePointsAccessCheck { get { return Flag(VolumeParams.ReparsePointsAccessCheck); } set { Flag(VolumeParams.ReparsePointsAccessCheck, value); } }
        public Boolean NamedStreams { get { return Flag(VolumeParams.NamedStreams); } set { Flag(VolumeParams.NamedStreams, value); } }
        /// <summary>LinFsp extension (WinFsp's .NET layer does not expose it): link(2) through CreateHardLink, st_nlink from FileInfo.HardLinks.</summary>
        public Boolean HardLinks { get { return Flag(VolumeParams.HardLinks); } set { Flag(VolumeParams.HardLinks, value); } }
        public Boolean ExtendedAttributes { get { return Flag(VolumeParams.ExtendedAttributes); } set { Flag(VolumeParams.ExtendedAttributes, value); } }
        /// <summary>Mount read-only (not exposed by WinFsp's .NET layer, issue #645).</summary>
        public Boolean ReadOnlyVolume { get { return Flag(VolumeParams.ReadOnlyVolume); } set { Flag(VolumeParams.ReadOnlyVolume, value); } }
        public Boolean PostCleanupWhenModifiedOnly { get { return Flag(VolumeParams.PostCleanupWhenModifiedOnly); } set { Flag(VolumeParams.PostCleanupWhenModifiedOnly, value); } }
        public Boolean PassQueryDirectoryPattern { get { return Flag(VolumeParams.PassQueryDirectoryPattern); } set { Flag(VolumeParams.PassQueryDirectoryPattern, value); } }
        public Boolean PassQueryDirectoryFileName { get { return Flag(VolumeParams.PassQueryDirectoryFileName); } set { Flag(VolumeParams.PassQueryDirectoryFileName, value); } }
        public Boolean FlushAndPurgeOnCleanup { get { return Flag(VolumeParams.FlushAndPurgeOnCleanup); } set { Flag(VolumeParams.FlushAndPurgeOnCleanup, value); } }
        public Boolean DeviceControl { get { return Flag(VolumeParams.DeviceControl); } set { Flag(VolumeParams.DeviceControl, value); } }
        public Boolean AllowOpenInKernelMode { get { return Flag(VolumeParams.AllowOpenInKernelMode); } set { Flag(VolumeParams.AllowOpenInKernelMode, value); } }
        /// <summary>Not exposed by WinFsp's .NET layer (issue #501); accepted and ignored by LinFsp.</summary>
        public Boolean CasePreservedExtendedAttributes { get { return Flag(VolumeParams.CasePreservedExtendedAttributes); } set { Flag(VolumeParams.CasePreservedExtendedAttributes, value); } }
        public Boolean WslFeatures { get { return Flag(VolumeParams.WslFeatures); } set { Flag(VolumeParams.WslFeatures, value); } }
        public Boolean RejectIrpPriorToTransact0 { get { return Flag(VolumeParams.RejectIrpPriorToTransact0); } set { Flag(VolumeParams.RejectIrpPriorToTransact0, value); } }
        public Boolean SupportsPosixUnlinkRename { get { return Flag(VolumeParams.SupportsPosixUnlinkRename); } set { Flag(VolumeParams.SupportsPosixUnlinkRename, value); } }
        public Boolean PostDispositionWhenNecessaryOnly { get { return Flag(VolumeParams.PostDispositionWhenNecessaryOnly); } set { Flag(VolumeParams.PostDispositionWhenNecessaryOnly, value); } }
        /// <summary>LinFsp extension: the kernel's writeback cache (with FileInfoTimeout 0xFFFFFFFF).</summary>
        public Boolean WritebackCache { get { return Flag2(VolumeParams.WritebackCache); } set { Flag2(VolumeParams.WritebackCache, value); } }
        /// <summary>
        /// LinFsp extension (VolumeParams.XattrsPassThrough): every xattr name is one of the file
        /// system's EAs; the engine serves no NTFS data as xattrs and refuses POSIX ACLs. For file
        /// systems whose EAs are another file system's xattrs.
        /// </summary>
        public Boolean XattrsPassThrough { get { return Flag2(VolumeParams.XattrsPassThrough); } set { Flag2(VolumeParams.XattrsPassThrough, value); } }
        /// <summary>LinFsp extension: EA names are case-sensitive (Linux xattr names, passed unchanged);
        /// without it the engine encodes their case (doc/native-api.md).</summary>
        public Boolean CaseSensitiveExtendedAttributes { get { return Flag2(VolumeParams.CaseSensitiveExtendedAttributes); } set { Flag2(VolumeParams.CaseSensitiveExtendedAttributes, value); } }
        /// <summary>LinFsp extension: the file system keeps access times itself (or not at all); the engine
        /// then makes no access-time calls (GetFileInfo, Cleanup) after reads (doc/native-api.md).</summary>
        public Boolean AccessTimesByFileSystem { get { return Flag2(VolumeParams.AccessTimesByFileSystem); } set { Flag2(VolumeParams.AccessTimesByFileSystem, value); } }

        /// <summary>UNC prefix \Server\Share: on LinFsp the mount's source (cut to 191 characters).</summary>
        public unsafe String Prefix
        {
            get { fixed (UInt32 *p = _VolumeParams.Prefix) return Utf32.Decode((IntPtr)p); }
            set { fixed (UInt32 *p = _VolumeParams.Prefix) SetFixed(p, VolumeParams.PrefixSize, value); }
        }
        /// <summary>On LinFsp the mount's subtype (fuse.NAME; cut to 15 characters).</summary>
        public unsafe String FileSystemName
        {
            get { fixed (UInt32 *p = _VolumeParams.FileSystemName) return Utf32.Decode((IntPtr)p); }
            set { fixed (UInt32 *p = _VolumeParams.FileSystemName) SetFixed(p, VolumeParams.FileSystemNameSize, value); }
        }
        private static unsafe void SetFixed(UInt32 *p, int size, String value)
        {
            for (int i = 0; i < size; i++)
                p[i] = 0;
            Utf32.Encode(value ?? "", p, size - 1);
        }
        /// <summary>LinFsp extension: mount options, comma separated (FspFileSystemSetMountOptions), applied by Mount.</summary>
        public String MountOptions
        {
            get { return _MountOptions; }
            set { _MountOptions = value; }
        }

        /* ---- control ---- */

        /// <summary>Can MountPoint be mounted on (FUSE device usable, directory exists)?</summary>
        public Int32 Preflight(String MountPoint)
        {
            IntPtr mp = Utf32.Alloc(MountPoint);
            try
            {
                return Api.FspFileSystemPreflight(IntPtr.Zero, mp);
            }
            finally
            {
                Utf32.Free(mp);
            }
        }
        public Int32 Mount(String MountPoint, Byte[] SecurityDescriptor = null, Boolean Synchronized = false,
            UInt32 DebugLog = 0)
        {
            return MountEx(MountPoint, 0, SecurityDescriptor, Synchronized, DebugLog);
        }
        /// <summary>
        /// Init, create the native file system, mount at MountPoint (an existing directory on
        /// LinFsp), Mounted, start ThreadCount workers (0: the engine's default). Synchronized
        /// serialises every operation (COARSE guard); leave it false for a thread-safe file system.
        /// </summary>
        public Int32 MountEx(String MountPoint, UInt32 ThreadCount, Byte[] SecurityDescriptor = null,
            Boolean Synchronized = false, UInt32 DebugLog = 0)
        {
            lock (this)
            {
                if (IntPtr.Zero != _FileSystemPtr)
                    return unchecked((Int32)0xC0000184); /* STATUS_INVALID_DEVICE_STATE */
                if (null == MountPoint)
                    return STATUS_INVALID_PARAMETER;
                Int32 Result;
                try
                {
                    Result = _FileSystem.Init(this);
                }
                catch (Exception ex)
                {
                    Result = CallExceptionHandler(_FileSystem, ex);
                }
                if (0 > Result)
                    return Result;
                IntPtr dev = Utf32.Alloc("/dev/fuse");
                try
                {
                    Result = Api.FspFileSystemCreate(dev, ref _VolumeParams, InterfaceFor(_FileSystem.GetType()),
                        out _FileSystemPtr);
                }
                finally
                {
                    Utf32.Free(dev);
                }
                if (0 > Result)
                {
                    _FileSystemPtr = IntPtr.Zero;
                    return Result;
                }
                _FileSystem.HostInternal = this;
                _SelfHandle = GCHandle.Alloc(this, GCHandleType.Normal);
                Marshal.WriteIntPtr(_FileSystemPtr, NativeOffsets.FileSystemUserContext,
                    GCHandle.ToIntPtr(_SelfHandle));
                Api.FspFileSystemSetOperationGuardStrategyF(_FileSystemPtr, Synchronized ? 1 : 0);
                Api.FspFileSystemSetDebugLogF(_FileSystemPtr, DebugLog);
                if (!String.IsNullOrEmpty(_MountOptions))
                {
                    IntPtr o = Utf32.AllocUtf8(_MountOptions);
                    try
                    {
                        unsafe
                        {
                            Result = Api.FspFileSystemSetMountOptions(_FileSystemPtr, (byte *)o);
                        }
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(o);
                    }
                }
                if (0 <= Result)
                {
                    IntPtr mp = Utf32.Alloc(MountPoint);
                    try
                    {
                        unsafe
                        {
                            fixed (byte *sd = SecurityDescriptor)
                                Result = Api.FspFileSystemSetMountPointEx(_FileSystemPtr, mp, (IntPtr)sd);
                        }
                    }
                    finally
                    {
                        Utf32.Free(mp);
                    }
                }
                if (0 <= Result)
                {
                    try
                    {
                        Result = _FileSystem.Mounted(this);
                    }
                    catch (Exception ex)
                    {
                        Result = CallExceptionHandler(_FileSystem, ex);
                    }
                    if (0 <= Result)
                    {
                        Result = Api.FspFileSystemStartDispatcher(_FileSystemPtr, ThreadCount);
                        if (0 > Result)
                        {
                            try
                            {
                                _FileSystem.Unmounted(this);
                            }
                            catch (Exception ex)
                            {
                                CallExceptionHandler(_FileSystem, ex);
                            }
                        }
                    }
                }
                if (0 > Result)
                    DeleteNative();
                return Result;
            }
        }
        /// <summary>Stop the dispatcher, Unmounted, unmount and free (as Dispose; the host can mount again).</summary>
        public void Unmount()
        {
            Dispose();
        }
        /// <summary>The mount point, or null when not mounted.</summary>
        public String MountPoint()
        {
            return IntPtr.Zero != _FileSystemPtr ? Utf32.Decode(Api.FspFileSystemMountPointF(_FileSystemPtr)) : null;
        }
        public IntPtr FileSystemHandle()
        {
            return _FileSystemPtr;
        }
        public FileSystemBase FileSystem()
        {
            return _FileSystem;
        }
        /// <summary>Where the debug log goes: "-" is stderr; other names are opened for append.</summary>
        public static unsafe Int32 SetDebugLogFile(String FileName)
        {
            if ("-" == FileName)
            {
                Api.FspDebugLogSetFd(2);
                return STATUS_SUCCESS;
            }
            IntPtr p = Utf32.AllocUtf8(FileName);
            int fd;
            try
            {
                fd = Api.open((byte *)p, 0x1 | 0x40 | 0x400 | 0x80000 /* O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC */, 0x1a4);
            }
            finally
            {
                Marshal.FreeHGlobal(p);
            }
            if (0 > fd)
                return Api.FspNtStatusFromErrno(Marshal.GetLastWin32Error());
            Api.FspDebugLogSetFd(fd);
            return STATUS_SUCCESS;
        }
        /// <summary>LinFsp's version (FspVersion: major << 16 | minor).</summary>
        public static System.Version Version()
        {
            UInt32 v;
            Api.FspVersion(out v);
            return new System.Version((int)(v >> 16), (int)(v & 0xFFFF));
        }

        /* ---- asynchronous completion ---- */

        /// <summary>The current request's hint, to complete it later with Send*Response (inside a callback).</summary>
        public unsafe UInt64 GetOperationRequestHint()
        {
            IntPtr ctx = Api.FspFileSystemGetOperationContext();
            IntPtr req = IntPtr.Zero == ctx ? IntPtr.Zero : Marshal.ReadIntPtr(ctx);
            return IntPtr.Zero == req ? 0 : *(UInt64 *)((byte *)req + NativeOffsets.RequestHint);
        }
        public void SendReadResponse(UInt64 RequestHint, Int32 Status, UInt32 BytesTransferred)
        {
            FileInfo none = default(FileInfo);
            SendResponse(TransactKind.Read, RequestHint, Status, BytesTransferred, ref none);
        }
        public void SendWriteResponse(UInt64 RequestHint, Int32 Status, UInt32 BytesTransferred,
            ref FileInfo FileInfo)
        {
            SendResponse(TransactKind.Write, RequestHint, Status, BytesTransferred, ref FileInfo);
        }
        public void SendReadDirectoryResponse(UInt64 RequestHint, Int32 Status, UInt32 BytesTransferred)
        {
            FileInfo none = default(FileInfo);
            SendResponse(TransactKind.QueryDirectory, RequestHint, Status, BytesTransferred, ref none);
        }
        private void SendResponse(UInt32 Kind, UInt64 Hint, Int32 Status, UInt32 Information, ref FileInfo FileInfo)
        {
            TransactRsp rsp = default(TransactRsp);
            rsp.Size = TransactRsp.Size_;
            rsp.Kind = Kind;
            rsp.Hint = Hint;
            rsp.Status = Status;
            rsp.Information = Information;
            rsp.FileInfo = FileInfo;
            IntPtr fs = _FileSystemPtr;
            if (IntPtr.Zero != fs)
                Api.FspFileSystemSendResponse(fs, ref rsp);
        }

        /* ---- notifications ---- */

        public Int32 NotifyBegin(UInt32 Timeout)
        {
            return Api.FspFileSystemNotifyBegin(_FileSystemPtr, Timeout);
        }
        public Int32 NotifyEnd()
        {
            return Api.FspFileSystemNotifyEnd(_FileSystemPtr);
        }
        /// <summary>Tell the kernel that these files changed behind its back (drops its caches for them).</summary>
        public unsafe Int32 Notify(NotifyInfo[] NotifyInfoArray)
        {
            if (null == NotifyInfoArray)
                return STATUS_INVALID_PARAMETER;
            UInt32 Length = 0;
            foreach (NotifyInfo n in NotifyInfoArray)
                Length += (UInt32)((NotifyInfoInternal.NameOffset + 4 * Utf32.EncodedLength(n.FileName ?? "") + 7) & ~7);
            IntPtr Buffer = Marshal.AllocHGlobal((int)Length + 8);
            try
            {
                UInt32 BytesTransferred = 0;
                foreach (NotifyInfo n in NotifyInfoArray)
                {
                    String name = n.FileName ?? "";
                    int k = Utf32.EncodedLength(name);
                    byte *one = stackalloc byte[NotifyInfoInternal.NameOffset + 4 * k];
                    NotifyInfoInternal *h = (NotifyInfoInternal *)one;
                    h->Size = (UInt16)(NotifyInfoInternal.NameOffset + 4 * k);
                    h->Filter = (UInt32)n.Filter;
                    h->Action = (UInt32)n.Action;
                    Utf32.Encode(name, (UInt32 *)(one + NotifyInfoInternal.NameOffset), k);
                    Api.FspFileSystemAddNotifyInfo((IntPtr)one, Buffer, Length, out BytesTransferred);
                }
                return Api.FspFileSystemNotify(_FileSystemPtr, Buffer, (UIntPtr)BytesTransferred);
            }
            finally
            {
                Marshal.FreeHGlobal(Buffer);
            }
        }

        /* ==== the native side ==== */

        private sealed class OpenContext
        {
            internal Object FileNode, FileDesc;
        }

        private static FileSystemBase Fs(IntPtr FileSystem)
        {
            IntPtr h = Marshal.ReadIntPtr(FileSystem, NativeOffsets.FileSystemUserContext);
            if (IntPtr.Zero == h)
                throw new InvalidOperationException("the file system is not mounted");
            return ((FileSystemHost)GCHandle.FromIntPtr(h).Target)._FileSystem;
        }
        private static OpenContext Ctx(IntPtr FileContext)
        {
            return (OpenContext)GCHandle.FromIntPtr(FileContext).Target;
        }
        private static IntPtr NewContext(Object FileNode, Object FileDesc)
        {
            OpenContext c = new OpenContext();
            c.FileNode = FileNode;
            c.FileDesc = FileDesc;
            return GCHandle.ToIntPtr(GCHandle.Alloc(c, GCHandleType.Normal));
        }
        private static Int32 CallExceptionHandler(FileSystemBase fs, Exception ex)
        {
            try
            {
                return null != fs ? fs.ExceptionHandler(ex) : STATUS_UNEXPECTED_IO_ERROR;
            }
            catch
            {
                return STATUS_UNEXPECTED_IO_ERROR;
            }
        }
        private static readonly Byte[] EmptySd = new Byte[0];
        private static Byte[] SdIn(IntPtr sd)
        {
            return FileSystemBase.CopySecurityDescriptor(sd);
        }
        private static unsafe Int32 SdOut(Byte[] sd, IntPtr Buffer, IntPtr PSize)
        {
            if (IntPtr.Zero == PSize)
                return STATUS_SUCCESS;
            UIntPtr *psize = (UIntPtr *)PSize;
            int len = null == sd ? 0 : sd.Length;
            if ((UInt64)len > (UInt64)(*psize))
            {
                *psize = (UIntPtr)len;
                return STATUS_BUFFER_OVERFLOW;
            }
            *psize = (UIntPtr)len;
            if (0 < len && IntPtr.Zero != Buffer)
                Marshal.Copy(sd, 0, Buffer, len);
            return STATUS_SUCCESS;
        }
        private static unsafe Int32 ReparseOut(Byte[] data, IntPtr Buffer, IntPtr PSize)
        {
            if (IntPtr.Zero == Buffer || IntPtr.Zero == PSize)
                return STATUS_SUCCESS;
            UIntPtr *psize = (UIntPtr *)PSize;
            int len = null == data ? 0 : data.Length;
            if ((UInt64)len > (UInt64)(*psize))
                return STATUS_BUFFER_TOO_SMALL;
            *psize = (UIntPtr)len;
            if (0 < len)
                Marshal.Copy(data, 0, Buffer, len);
            return STATUS_SUCCESS;
        }
        /* SECURITY_INFORMATION bits <-> AccessControlSections (whose values differ). */
        internal static AccessControlSections ToSections(UInt32 Info)
        {
            AccessControlSections s = AccessControlSections.None;
            if (0 != (Info & 1)) s |= AccessControlSections.Owner;
            if (0 != (Info & 2)) s |= AccessControlSections.Group;
            if (0 != (Info & 4)) s |= AccessControlSections.Access;
            if (0 != (Info & 8)) s |= AccessControlSections.Audit;
            return s;
        }
        internal static UInt32 FromSections(AccessControlSections s)
        {
            UInt32 Info = 0;
            if (0 != (s & AccessControlSections.Owner)) Info |= 1;
            if (0 != (s & AccessControlSections.Group)) Info |= 2;
            if (0 != (s & AccessControlSections.Access)) Info |= 4;
            if (0 != (s & AccessControlSections.Audit)) Info |= 8;
            return Info;
        }

        /* ---- delegate types (cdecl; BOOLEAN is a byte, SIZE_T* an IntPtr) ---- */
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 GetVolumeInfoFn(IntPtr fs, IntPtr vi);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetVolumeLabelFn(IntPtr fs, IntPtr label, IntPtr vi);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 GetSecurityByNameFn(IntPtr fs, IntPtr name, IntPtr pattrs, IntPtr sd, IntPtr psize);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 OpenFn(IntPtr fs, IntPtr name, UInt32 options, UInt32 access, IntPtr pctx, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void CleanupFn(IntPtr fs, IntPtr ctx, IntPtr name, UInt32 flags);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void CloseFn(IntPtr fs, IntPtr ctx);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 ReadFn(IntPtr fs, IntPtr ctx, IntPtr buf, UInt64 off, UInt32 len, IntPtr pbytes);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 WriteFn(IntPtr fs, IntPtr ctx, IntPtr buf, UInt64 off, UInt32 len, Byte toend, Byte constrained, IntPtr pbytes, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 CtxInfoFn(IntPtr fs, IntPtr ctx, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetBasicInfoFn(IntPtr fs, IntPtr ctx, UInt32 attrs, UInt64 ctime, UInt64 atime, UInt64 mtime, UInt64 chtime, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetFileSizeFn(IntPtr fs, IntPtr ctx, UInt64 size, Byte alloc, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 RenameFn(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr newname, Byte replace);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 GetSecurityFn(IntPtr fs, IntPtr ctx, IntPtr sd, IntPtr psize);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetSecurityFn(IntPtr fs, IntPtr ctx, UInt32 info, IntPtr sd);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 ReadDirectoryFn(IntPtr fs, IntPtr ctx, IntPtr pattern, IntPtr marker, IntPtr buf, UInt32 len, IntPtr pbytes);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 ResolveReparsePointsFn(IntPtr fs, IntPtr name, UInt32 index, Byte last, IntPtr pio, IntPtr buf, IntPtr psize);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 GetReparsePointFn(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr buf, IntPtr psize);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetReparsePointFn(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr buf, UIntPtr size);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 BufferFn(IntPtr fs, IntPtr ctx, IntPtr buf, UInt32 len, IntPtr pbytes);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 GetDirInfoByNameFn(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr dirinfo);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 ControlFn(IntPtr fs, IntPtr ctx, UInt32 code, IntPtr inbuf, UInt32 inlen, IntPtr outbuf, UInt32 outlen, IntPtr pbytes);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetDeleteFn(IntPtr fs, IntPtr ctx, IntPtr name, Byte del);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 CreateExFn(IntPtr fs, IntPtr name, UInt32 options, UInt32 access, UInt32 attrs, IntPtr sd, UInt64 alloc, IntPtr extra, UInt32 extralen, Byte isreparse, IntPtr pctx, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 OverwriteExFn(IntPtr fs, IntPtr ctx, UInt32 attrs, Byte replace, UInt64 alloc, IntPtr ea, UInt32 ealen, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 SetEaFn(IntPtr fs, IntPtr ctx, IntPtr ea, UInt32 ealen, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void DispatcherStoppedFn(IntPtr fs, Byte normally);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 CreateHardLinkFn(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr newname, IntPtr info);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate Int32 FallocateFn(IntPtr fs, IntPtr ctx, UInt32 mode, UInt64 off, UInt64 len, IntPtr info);

        /* ---- the delegates, alive for the process ---- */
        private static readonly GetVolumeInfoFn _GetVolumeInfo = OnGetVolumeInfo;
        private static readonly SetVolumeLabelFn _SetVolumeLabel = OnSetVolumeLabel;
        private static readonly GetSecurityByNameFn _GetSecurityByName = OnGetSecurityByName;
        private static readonly OpenFn _Open = OnOpen;
        private static readonly CleanupFn _Cleanup = OnCleanup;
        private static readonly CloseFn _Close = OnClose;
        private static readonly ReadFn _Read = OnRead;
        private static readonly WriteFn _Write = OnWrite;
        private static readonly CtxInfoFn _Flush = OnFlush;
        private static readonly CtxInfoFn _GetFileInfo = OnGetFileInfo;
        private static readonly SetBasicInfoFn _SetBasicInfo = OnSetBasicInfo;
        private static readonly SetFileSizeFn _SetFileSize = OnSetFileSize;
        private static readonly RenameFn _Rename = OnRename;
        private static readonly GetSecurityFn _GetSecurity = OnGetSecurity;
        private static readonly SetSecurityFn _SetSecurity = OnSetSecurity;
        private static readonly ReadDirectoryFn _ReadDirectory = OnReadDirectory;
        private static readonly ResolveReparsePointsFn _ResolveReparsePoints = OnResolveReparsePoints;
        private static readonly GetReparsePointFn _GetReparsePoint = OnGetReparsePoint;
        private static readonly SetReparsePointFn _SetReparsePoint = OnSetReparsePoint;
        private static readonly SetReparsePointFn _DeleteReparsePoint = OnDeleteReparsePoint;
        private static readonly BufferFn _GetStreamInfo = OnGetStreamInfo;
        private static readonly GetDirInfoByNameFn _GetDirInfoByName = OnGetDirInfoByName;
        private static readonly ControlFn _Control = OnControl;
        private static readonly SetDeleteFn _SetDelete = OnSetDelete;
        private static readonly CreateExFn _CreateEx = OnCreateEx;
        private static readonly OverwriteExFn _OverwriteEx = OnOverwriteEx;
        private static readonly BufferFn _GetEa = OnGetEa;
        private static readonly SetEaFn _SetEa = OnSetEa;
        private static readonly DispatcherStoppedFn _DispatcherStopped = OnDispatcherStopped;
        private static readonly CreateHardLinkFn _CreateHardLink = OnCreateHardLink;
        private static readonly FallocateFn _Fallocate = OnFallocate;
        internal static readonly Api.GetReparsePointByNameCallback GetReparsePointByNameDelegate = OnGetReparsePointByName;

        /* One interface table per file system class: a slot is set when the class overrides the
         * virtual (or one the default calls), so the engine treats the rest as not implemented. */
        private static readonly Dictionary<Type, IntPtr> Interfaces = new Dictionary<Type, IntPtr>();
        private static IntPtr InterfaceFor(Type t)
        {
            lock (Interfaces)
            {
                IntPtr table;
                if (Interfaces.TryGetValue(t, out table))
                    return table;
                int n = NativeOffsets.InterfaceSlots;
                table = Marshal.AllocHGlobal(n * IntPtr.Size);
                for (int i = 0; i < n; i++)
                    Marshal.WriteIntPtr(table, i * IntPtr.Size, IntPtr.Zero);
                HashSet<String> o = Overridden(t);
                Set(table, Slot.GetVolumeInfo, _GetVolumeInfo, o, "GetVolumeInfo");
                Set(table, Slot.SetVolumeLabel, _SetVolumeLabel, o, "SetVolumeLabel");
                Set(table, Slot.GetSecurityByName, _GetSecurityByName, o, "GetSecurityByName");
                Set(table, Slot.Open, _Open, o, "Open");
                Set(table, Slot.Cleanup, _Cleanup, o, "Cleanup");
                Set(table, Slot.Close, _Close, null, null); /* always: the open's handle is freed there */
                Set(table, Slot.Read, _Read, o, "Read");
                Set(table, Slot.Write, _Write, o, "Write");
                Set(table, Slot.Flush, _Flush, o, "Flush");
                Set(table, Slot.GetFileInfo, _GetFileInfo, o, "GetFileInfo");
                Set(table, Slot.SetBasicInfo, _SetBasicInfo, o, "SetBasicInfo");
                Set(table, Slot.SetFileSize, _SetFileSize, o, "SetFileSize");
                Set(table, Slot.Rename, _Rename, o, "Rename");
                Set(table, Slot.GetSecurity, _GetSecurity, o, "GetSecurity");
                Set(table, Slot.SetSecurity, _SetSecurity, o, "SetSecurity");
                Set(table, Slot.ReadDirectory, _ReadDirectory, o, "ReadDirectory", "ReadDirectoryEntry");
                Set(table, Slot.ResolveReparsePoints, _ResolveReparsePoints, o, "ResolveReparsePoints", "GetReparsePointByName");
                Set(table, Slot.GetReparsePoint, _GetReparsePoint, o, "GetReparsePoint");
                Set(table, Slot.SetReparsePoint, _SetReparsePoint, o, "SetReparsePoint");
                Set(table, Slot.DeleteReparsePoint, _DeleteReparsePoint, o, "DeleteReparsePoint");
                Set(table, Slot.GetStreamInfo, _GetStreamInfo, o, "GetStreamInfo", "GetStreamEntry");
                Set(table, Slot.GetDirInfoByName, _GetDirInfoByName, o, "GetDirInfoByName");
                Set(table, Slot.Control, _Control, o, "Control");
                Set(table, Slot.SetDelete, _SetDelete, o, "SetDelete", "CanDelete");
                Set(table, Slot.CreateEx, _CreateEx, o, "CreateEx", "Create");
                Set(table, Slot.OverwriteEx, _OverwriteEx, o, "OverwriteEx", "Overwrite");
                Set(table, Slot.GetEa, _GetEa, o, "GetEa", "GetEaEntry");
                Set(table, Slot.SetEa, _SetEa, o, "SetEa", "SetEaEntry");
                Set(table, Slot.DispatcherStopped, _DispatcherStopped, null, null);
                Set(table, Slot.CreateHardLink, _CreateHardLink, o, "CreateHardLink");
                Set(table, Slot.Fallocate, _Fallocate, o, "Fallocate");
                Interfaces[t] = table;
                return table;
            }
        }
        private static HashSet<String> Overridden(Type t)
        {
            HashSet<String> r = new HashSet<String>();
            foreach (MethodInfo m in t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
                if (m.IsVirtual && m.DeclaringType != typeof(FileSystemBase) &&
                    m.GetBaseDefinition().DeclaringType == typeof(FileSystemBase))
                    r.Add(m.Name);
            return r;
        }
        private static void Set(IntPtr table, Slot slot, Delegate d, HashSet<String> o, params String[] names)
        {
            bool on = null == o;
            if (!on)
                foreach (String n in names)
                    on |= o.Contains(n);
            if (on)
                Marshal.WriteIntPtr(table, (int)slot * IntPtr.Size, Marshal.GetFunctionPointerForDelegate(d));
        }

        /* ---- trampolines ---- */

        private static unsafe Int32 OnGetVolumeInfo(IntPtr fs, IntPtr vi)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                VolumeInfo v;
                Int32 r = b.GetVolumeInfo(out v);
                *(VolumeInfo *)vi = v;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnSetVolumeLabel(IntPtr fs, IntPtr label, IntPtr vi)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                VolumeInfo v;
                Int32 r = b.SetVolumeLabel(Utf32.Decode(label), out v);
                *(VolumeInfo *)vi = v;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnGetSecurityByName(IntPtr fs, IntPtr name, IntPtr pattrs, IntPtr sd, IntPtr psize)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                Byte[] SecurityDescriptor = IntPtr.Zero != psize ? EmptySd : null;
                UInt32 attrs;
                Int32 r = b.GetSecurityByName(Utf32.Decode(name), out attrs, ref SecurityDescriptor);
                if (IntPtr.Zero != pattrs)
                    *(UInt32 *)pattrs = attrs; /* also the reparse index with STATUS_REPARSE */
                if (0 <= r && 0x104 != r)
                    r = SdOut(SecurityDescriptor, sd, psize);
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnCreateEx(IntPtr fs, IntPtr name, UInt32 options, UInt32 access, UInt32 attrs,
            IntPtr sd, UInt64 alloc, IntPtr extra, UInt32 extralen, Byte isreparse, IntPtr pctx, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                Object N, D;
                FileInfo fi;
                String nn;
                Int32 r = b.CreateEx(Utf32.Decode(name), options, access, attrs, SdIn(sd), alloc, extra, extralen,
                    0 != isreparse, out N, out D, out fi, out nn);
                if (0 <= r)
                {
                    *(FileInfo *)info = fi;
                    *(IntPtr *)pctx = NewContext(N, D);
                }
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnOpen(IntPtr fs, IntPtr name, UInt32 options, UInt32 access, IntPtr pctx, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                Object N, D;
                FileInfo fi;
                String nn;
                Int32 r = b.Open(Utf32.Decode(name), options, access, out N, out D, out fi, out nn);
                if (0 <= r)
                {
                    *(FileInfo *)info = fi;
                    *(IntPtr *)pctx = NewContext(N, D);
                }
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnOverwriteEx(IntPtr fs, IntPtr ctx, UInt32 attrs, Byte replace, UInt64 alloc,
            IntPtr ea, UInt32 ealen, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.OverwriteEx(c.FileNode, c.FileDesc, attrs, 0 != replace, alloc, ea, ealen, out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static void OnCleanup(IntPtr fs, IntPtr ctx, IntPtr name, UInt32 flags)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                b.Cleanup(c.FileNode, c.FileDesc, Utf32.Decode(name), flags);
            }
            catch (Exception ex)
            {
                Int32 r = CallExceptionHandler(b, ex);
                /* a delete that threw did not happen: unlink(2) answers the handler's status */
                if (0 != (flags & FileSystemBase.CleanupDelete))
                    FileSystemBase.SetCleanupStatus(0 > r ? r : STATUS_UNEXPECTED_IO_ERROR);
            }
        }
        private static void OnClose(IntPtr fs, IntPtr ctx)
        {
            FileSystemBase b = null;
            GCHandle h = default(GCHandle);
            try
            {
                h = GCHandle.FromIntPtr(ctx);
                b = Fs(fs);
                OpenContext c = (OpenContext)h.Target;
                b.Close(c.FileNode, c.FileDesc);
            }
            catch (Exception ex)
            {
                CallExceptionHandler(b, ex);
            }
            finally
            {
                if (h.IsAllocated)
                    h.Free(); /* even when Close threw */
            }
        }
        private static unsafe Int32 OnRead(IntPtr fs, IntPtr ctx, IntPtr buf, UInt64 off, UInt32 len, IntPtr pbytes)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                UInt32 n;
                Int32 r = b.Read(c.FileNode, c.FileDesc, buf, off, len, out n);
                *(UInt32 *)pbytes = n;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnWrite(IntPtr fs, IntPtr ctx, IntPtr buf, UInt64 off, UInt32 len, Byte toend,
            Byte constrained, IntPtr pbytes, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                UInt32 n;
                FileInfo fi;
                Int32 r = b.Write(c.FileNode, c.FileDesc, buf, off, len, 0 != toend, 0 != constrained, out n, out fi);
                *(UInt32 *)pbytes = n;
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnFlush(IntPtr fs, IntPtr ctx, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = IntPtr.Zero != ctx ? Ctx(ctx) : null; /* null: flush the volume */
                FileInfo fi;
                Int32 r = b.Flush(null != c ? c.FileNode : null, null != c ? c.FileDesc : null, out fi);
                if (IntPtr.Zero != info)
                    *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnGetFileInfo(IntPtr fs, IntPtr ctx, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.GetFileInfo(c.FileNode, c.FileDesc, out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnSetBasicInfo(IntPtr fs, IntPtr ctx, UInt32 attrs, UInt64 ctime, UInt64 atime,
            UInt64 mtime, UInt64 chtime, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.SetBasicInfo(c.FileNode, c.FileDesc, attrs, ctime, atime, mtime, chtime, out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnSetFileSize(IntPtr fs, IntPtr ctx, UInt64 size, Byte alloc, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.SetFileSize(c.FileNode, c.FileDesc, size, 0 != alloc, out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnSetDelete(IntPtr fs, IntPtr ctx, IntPtr name, Byte del)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                return b.SetDelete(c.FileNode, c.FileDesc, Utf32.Decode(name), 0 != del);
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnRename(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr newname, Byte replace)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                return b.Rename(c.FileNode, c.FileDesc, Utf32.Decode(name), Utf32.Decode(newname), 0 != replace);
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnGetSecurity(IntPtr fs, IntPtr ctx, IntPtr sd, IntPtr psize)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                Byte[] SecurityDescriptor = null;
                Int32 r = b.GetSecurity(c.FileNode, c.FileDesc, ref SecurityDescriptor);
                if (0 <= r)
                    r = SdOut(SecurityDescriptor, sd, psize);
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnSetSecurity(IntPtr fs, IntPtr ctx, UInt32 info, IntPtr sd)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                return b.SetSecurity(c.FileNode, c.FileDesc, ToSections(info), SdIn(sd));
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnReadDirectory(IntPtr fs, IntPtr ctx, IntPtr pattern, IntPtr marker, IntPtr buf,
            UInt32 len, IntPtr pbytes)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                UInt32 n;
                Int32 r = b.ReadDirectory(c.FileNode, c.FileDesc, Utf32.Decode(pattern), Utf32.Decode(marker), buf,
                    len, out n);
                *(UInt32 *)pbytes = n;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnResolveReparsePoints(IntPtr fs, IntPtr name, UInt32 index, Byte last, IntPtr pio,
            IntPtr buf, IntPtr psize)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                IoStatusBlock io;
                Int32 r = b.ResolveReparsePoints(Utf32.Decode(name), index, 0 != last, out io, buf, psize);
                if (IntPtr.Zero != pio)
                {
                    NativeIoStatusBlock *p = (NativeIoStatusBlock *)pio;
                    p->Status = (Int32)(Int64)io.Status;
                    p->Information = (UInt64)(Int64)io.Information;
                }
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnGetReparsePoint(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr buf, IntPtr psize)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                Byte[] data = null;
                Int32 r = b.GetReparsePoint(c.FileNode, c.FileDesc, Utf32.Decode(name), ref data);
                if (0 <= r)
                    r = ReparseOut(data, buf, psize);
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnSetReparsePoint(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr buf, UIntPtr size)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                return b.SetReparsePoint(c.FileNode, c.FileDesc, Utf32.Decode(name),
                    FileSystemBase.MakeReparsePoint(buf, (UInt32)size));
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnDeleteReparsePoint(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr buf, UIntPtr size)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                return b.DeleteReparsePoint(c.FileNode, c.FileDesc, Utf32.Decode(name),
                    FileSystemBase.MakeReparsePoint(buf, (UInt32)size));
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnGetStreamInfo(IntPtr fs, IntPtr ctx, IntPtr buf, UInt32 len, IntPtr pbytes)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                UInt32 n;
                Int32 r = b.GetStreamInfo(c.FileNode, c.FileDesc, buf, len, out n);
                *(UInt32 *)pbytes = n;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnGetDirInfoByName(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr dirinfo)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                String FileName = Utf32.Decode(name), nn;
                FileInfo fi;
                Int32 r = b.GetDirInfoByName(c.FileNode, c.FileDesc, FileName, out nn, out fi);
                if (0 <= r)
                    FileSystemBase.FillDirInfo(dirinfo, nn ?? FileName, ref fi);
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnControl(IntPtr fs, IntPtr ctx, UInt32 code, IntPtr inbuf, UInt32 inlen,
            IntPtr outbuf, UInt32 outlen, IntPtr pbytes)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                UInt32 n;
                Int32 r = b.Control(c.FileNode, c.FileDesc, code, inbuf, inlen, outbuf, outlen, out n);
                *(UInt32 *)pbytes = n;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnGetEa(IntPtr fs, IntPtr ctx, IntPtr ea, UInt32 ealen, IntPtr pbytes)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                UInt32 n;
                Int32 r = b.GetEa(c.FileNode, c.FileDesc, ea, ealen, out n);
                *(UInt32 *)pbytes = n;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnSetEa(IntPtr fs, IntPtr ctx, IntPtr ea, UInt32 ealen, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.SetEa(c.FileNode, c.FileDesc, ea, ealen, out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static void OnDispatcherStopped(IntPtr fs, Byte normally)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                b.DispatcherStopped(0 != normally);
            }
            catch (Exception ex)
            {
                CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnCreateHardLink(IntPtr fs, IntPtr ctx, IntPtr name, IntPtr newname, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.CreateHardLink(c.FileNode, c.FileDesc, Utf32.Decode(name), Utf32.Decode(newname), out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static unsafe Int32 OnFallocate(IntPtr fs, IntPtr ctx, UInt32 mode, UInt64 off, UInt64 len, IntPtr info)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                OpenContext c = Ctx(ctx);
                FileInfo fi;
                Int32 r = b.Fallocate(c.FileNode, c.FileDesc, mode, off, len, out fi);
                *(FileInfo *)info = fi;
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
        private static Int32 OnGetReparsePointByName(IntPtr fs, IntPtr context, IntPtr name, Byte isdir, IntPtr buf,
            IntPtr psize)
        {
            FileSystemBase b = null;
            try
            {
                b = Fs(fs);
                Byte[] data = null;
                Int32 r = b.GetReparsePointByName(Utf32.Decode(name), 0 != isdir, ref data);
                if (0 <= r)
                    r = ReparseOut(data, buf, psize);
                return r;
            }
            catch (Exception ex)
            {
                return CallExceptionHandler(b, ex);
            }
        }
    }
}
