/*
 * dotnet/tests/ApiSurface.cs - test-dotnet's check of the assembly against WinFsp's .NET API: every
 * member of Fsp.FileSystemBase, Fsp.FileSystemHost, Fsp.Service and the public Fsp.Interop types
 * that WinFsp's layer has (../shared/reference/winfsp-dotnet-facts.md, written out below as
 * signatures), found by reflection with the same signature (static/virtual, parameter types,
 * ref/out, optional parameters and their default values), and the defaults WinFsp gives them:
 * each FileSystemBase virtual called on a bare FileSystemBase, each FileSystemHost property read on
 * a new host. Members LinFsp adds are not checked here (doc/dotnet.md lists them).
 */
using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Fsp;
using Fsp.Interop;

namespace Tests
{
    static class ApiSurface
    {
        /* WinFsp's members, as "[static |virtual ]ReturnType Name(Param, ref Param, out Param, Param=Default)". */
        static readonly String[] FileSystemBaseMembers = {
            "virtual Int32 ExceptionHandler(Exception)",
            "virtual Int32 Init(Object)",
            "virtual Int32 Mounted(Object)",
            "virtual Void Unmounted(Object)",
            "virtual Void DispatcherStopped(Boolean)",
            "virtual Int32 GetVolumeInfo(out VolumeInfo)",
            "virtual Int32 SetVolumeLabel(String, out VolumeInfo)",
            "virtual Int32 GetSecurityByName(String, out UInt32, ref Byte[])",
            "virtual Int32 Create(String, UInt32, UInt32, UInt32, Byte[], UInt64, out Object, out Object, out FileInfo, out String)",
            "virtual Int32 CreateEx(String, UInt32, UInt32, UInt32, Byte[], UInt64, IntPtr, UInt32, Boolean, out Object, out Object, out FileInfo, out String)",
            "virtual Int32 Open(String, UInt32, UInt32, out Object, out Object, out FileInfo, out String)",
            "virtual Int32 Overwrite(Object, Object, UInt32, Boolean, UInt64, out FileInfo)",
            "virtual Int32 OverwriteEx(Object, Object, UInt32, Boolean, UInt64, IntPtr, UInt32, out FileInfo)",
            "virtual Void Cleanup(Object, Object, String, UInt32)",
            "virtual Void Close(Object, Object)",
            "virtual Int32 Read(Object, Object, IntPtr, UInt64, UInt32, out UInt32)",
            "virtual Int32 Write(Object, Object, IntPtr, UInt64, UInt32, Boolean, Boolean, out UInt32, out FileInfo)",
            "virtual Int32 Flush(Object, Object, out FileInfo)",
            "virtual Int32 GetFileInfo(Object, Object, out FileInfo)",
            "virtual Int32 SetBasicInfo(Object, Object, UInt32, UInt64, UInt64, UInt64, UInt64, out FileInfo)",
            "virtual Int32 SetFileSize(Object, Object, UInt64, Boolean, out FileInfo)",
            "virtual Int32 CanDelete(Object, Object, String)",
            "virtual Int32 SetDelete(Object, Object, String, Boolean)",
            "virtual Int32 Rename(Object, Object, String, String, Boolean)",
            "virtual Int32 GetSecurity(Object, Object, ref Byte[])",
            "virtual Int32 SetSecurity(Object, Object, AccessControlSections, Byte[])",
            "virtual Int32 ReadDirectory(Object, Object, String, String, IntPtr, UInt32, out UInt32)",
            "virtual Boolean ReadDirectoryEntry(Object, Object, String, String, ref Object, out String, out FileInfo)",
            "virtual Int32 GetDirInfoByName(Object, Object, String, out String, out FileInfo)",
            "virtual Int32 GetStreamInfo(Object, Object, IntPtr, UInt32, out UInt32)",
            "virtual Boolean GetStreamEntry(Object, Object, ref Object, out String, out UInt64, out UInt64)",
            "virtual Int32 ResolveReparsePoints(String, UInt32, Boolean, out IoStatusBlock, IntPtr, IntPtr)",
            "virtual Int32 GetReparsePointByName(String, Boolean, ref Byte[])",
            "virtual Int32 GetReparsePoint(Object, Object, String, ref Byte[])",
            "virtual Int32 SetReparsePoint(Object, Object, String, Byte[])",
            "virtual Int32 DeleteReparsePoint(Object, Object, String, Byte[])",
            "virtual Int32 Control(Object, Object, UInt32, IntPtr, UInt32, IntPtr, UInt32, out UInt32)",
            "virtual Int32 GetEa(Object, Object, IntPtr, UInt32, out UInt32)",
            "virtual Boolean GetEaEntry(Object, Object, ref Object, out String, out Byte[], out Boolean)",
            "virtual Int32 SetEa(Object, Object, IntPtr, UInt32, out FileInfo)",
            "virtual Int32 SetEaEntry(Object, Object, ref Object, String, Byte[], Boolean)",
            "static Int32 NtStatusFromWin32(UInt32)",
            "static UInt32 Win32FromNtStatus(Int32)",
            "static Int32 GetOperationProcessId()",
            "static Byte[] ModifySecurityDescriptor(Byte[], AccessControlSections, Byte[])",
            "static Int32 ModifySecurityDescriptorEx(Byte[], AccessControlSections, Byte[], ref Byte[])",
            "Int32 SeekableReadDirectory(Object, Object, String, String, IntPtr, UInt32, out UInt32)",
            "Int32 BufferedReadDirectory(DirectoryBuffer, Object, Object, String, String, IntPtr, UInt32, out UInt32)",
            "Boolean FindReparsePoint(String, out UInt32)",
            "static Byte[] MakeReparsePoint(IntPtr, UInt32)",
            "static UInt32 GetReparseTag(Byte[])",
            "static Int32 CanReplaceReparsePoint(Byte[], Byte[])",
            "Int32 SetEaEntries(Object, Object, IntPtr, UInt32)",
            "static UInt32 GetEaEntrySize(String, Byte[], Boolean)",
            "Void StopServiceIfNecessary(Boolean)",
        };
        static readonly String[] FileSystemHostMembers = {
            "Int32 Preflight(String)",
            "Int32 Mount(String, Byte[]=null, Boolean=False, UInt32=0)",
            "Int32 MountEx(String, UInt32, Byte[]=null, Boolean=False, UInt32=0)",
            "Void Unmount()",
            "String MountPoint()",
            "IntPtr FileSystemHandle()",
            "FileSystemBase FileSystem()",
            "static Int32 SetDebugLogFile(String)",
            "static Version Version()",
            "UInt64 GetOperationRequestHint()",
            "Void SendReadResponse(UInt64, Int32, UInt32)",
            "Void SendWriteResponse(UInt64, Int32, UInt32, ref FileInfo)",
            "Void SendReadDirectoryResponse(UInt64, Int32, UInt32)",
            "Int32 NotifyBegin(UInt32)",
            "Int32 Notify(NotifyInfo[])",
            "Int32 NotifyEnd()",
            "Void Dispose()",
        };
        static readonly String[] ServiceMembers = {
            "Int32 Run()",
            "Void Stop()",
            "Void RequestTime(UInt32)",
            "static Void Log(UInt32, String)",
            "virtual Void OnStart(String[])",
            "virtual Void OnStop()",
            "virtual Int32 ExceptionHandler(Exception)",
        };
        /* FileSystemHost's properties: type and default (0, false, ""; the timeouts read back as FileInfoTimeout). */
        static readonly String[] HostProperties = {
            "UInt16 SectorSize", "UInt16 SectorsPerAllocationUnit", "UInt16 MaxComponentLength",
            "UInt64 VolumeCreationTime", "UInt32 VolumeSerialNumber", "UInt32 FileInfoTimeout",
            "UInt32 VolumeInfoTimeout", "UInt32 DirInfoTimeout", "UInt32 SecurityTimeout",
            "UInt32 StreamInfoTimeout", "UInt32 EaTimeout",
            "Boolean CaseSensitiveSearch", "Boolean CasePreservedNames", "Boolean UnicodeOnDisk",
            "Boolean PersistentAcls", "Boolean ReparsePoints", "Boolean ReparsePointsAccessCheck",
            "Boolean NamedStreams", "Boolean ExtendedAttributes", "Boolean PostCleanupWhenModifiedOnly",
            "Boolean PassQueryDirectoryPattern", "Boolean PassQueryDirectoryFileName",
            "Boolean FlushAndPurgeOnCleanup", "Boolean DeviceControl", "Boolean AllowOpenInKernelMode",
            "Boolean WslFeatures", "Boolean RejectIrpPriorToTransact0", "Boolean SupportsPosixUnlinkRename",
            "Boolean PostDispositionWhenNecessaryOnly",
            "String Prefix", "String FileSystemName",
        };

        static String TypeName(Type t)
        {
            return t.IsByRef ? TypeName(t.GetElementType()) : t.Name;
        }
        static String Signature(MethodInfo m)
        {
            StringBuilder b = new StringBuilder();
            if (m.IsStatic)
                b.Append("static ");
            else if (m.IsVirtual && !m.IsFinal && m.GetBaseDefinition().DeclaringType == m.DeclaringType)
                b.Append("virtual ");
            b.Append(TypeName(m.ReturnType)).Append(' ').Append(m.Name).Append('(');
            ParameterInfo[] ps = m.GetParameters();
            for (int i = 0; i < ps.Length; i++)
            {
                if (0 < i)
                    b.Append(", ");
                if (ps[i].ParameterType.IsByRef)
                    b.Append(ps[i].IsOut ? "out " : "ref ");
                b.Append(TypeName(ps[i].ParameterType));
                if (ps[i].IsOptional)
                    b.Append('=').Append(null == ps[i].DefaultValue ? "null" : ps[i].DefaultValue.ToString());
            }
            return b.Append(')').ToString();
        }
        static void Members(Type t, String[] expected, Action<Boolean, String> Check)
        {
            HashSet<String> have = new HashSet<String>();
            foreach (MethodInfo m in t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic |
                BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                if (m.IsPublic || m.IsFamily)
                    have.Add(Signature(m));
            int missing = 0;
            foreach (String e in expected)
                if (!have.Contains(e))
                {
                    missing++;
                    Check(false, t.Name + "." + e + " as WinFsp declares it");
                }
            Check(0 == missing, String.Format("{0}: all {1} of WinFsp's methods, with its signatures", t.Name, expected.Length));
        }

        const Int32 IDR = FileSystemBase.STATUS_INVALID_DEVICE_REQUEST;

        /* Call a FileSystemBase virtual with default arguments (4 KiB native buffers for IntPtr, their
         * length for the UInt32 after them): the result, and whether every out value is default. */
        static Object CallDefault(FileSystemBase fs, String name, out Boolean outsDefault, params Object[] fixedArgs)
        {
            MethodInfo m = typeof(FileSystemBase).GetMethod(name);
            ParameterInfo[] ps = m.GetParameters();
            Object[] args = new Object[ps.Length];
            List<IntPtr> buffers = new List<IntPtr>();
            try
            {
                for (int i = 0; i < ps.Length; i++)
                {
                    Type t = ps[i].ParameterType.IsByRef ? ps[i].ParameterType.GetElementType() : ps[i].ParameterType;
                    if (i < fixedArgs.Length && null != fixedArgs[i])
                        args[i] = fixedArgs[i];
                    else if (typeof(IntPtr) == t)
                    {
                        IntPtr p = Marshal.AllocHGlobal(4096);
                        for (int k = 0; k < 4096; k++)
                            Marshal.WriteByte(p, k, 0);
                        buffers.Add(p);
                        args[i] = p;
                    }
                    else if (typeof(UInt32) == t && 0 < i && typeof(IntPtr) == ps[i - 1].ParameterType)
                        args[i] = 4096u;
                    else if (t.IsValueType)
                        args[i] = Activator.CreateInstance(t);
                }
                Object r = m.Invoke(fs, args);
                outsDefault = true;
                for (int i = 0; i < ps.Length; i++)
                    if (ps[i].IsOut)
                    {
                        Type t = ps[i].ParameterType.GetElementType();
                        Object d = t.IsValueType ? Activator.CreateInstance(t) : null;
                        if (!Object.Equals(d, args[i]))
                            outsDefault = false;
                    }
                return r;
            }
            finally
            {
                foreach (IntPtr p in buffers)
                    Marshal.FreeHGlobal(p);
            }
        }

        static void Defaults(Action<Boolean, String> Check)
        {
            FileSystemBase fs = new FileSystemBase();
            String[] idr = { "GetVolumeInfo", "SetVolumeLabel", "GetSecurityByName", "Create", "CreateEx", "Open",
                "Overwrite", "OverwriteEx", "Read", "Write", "Flush", "GetFileInfo", "SetBasicInfo", "SetFileSize",
                "CanDelete", "Rename", "GetSecurity", "SetSecurity", "GetDirInfoByName", "GetReparsePointByName",
                "GetReparsePoint", "SetReparsePoint", "DeleteReparsePoint", "Control", "SetEa", "SetEaEntry" };
            int bad = 0;
            foreach (String n in idr)
            {
                Boolean outs;
                Object r = CallDefault(fs, n, out outs);
                if (!(r is Int32) || IDR != (Int32)r || !outs)
                {
                    bad++;
                    Check(false, n + "'s default answers STATUS_INVALID_DEVICE_REQUEST with default out values");
                }
            }
            Check(0 == bad, String.Format("the {0} FileSystemBase virtuals WinFsp defaults to STATUS_INVALID_DEVICE_REQUEST do", idr.Length));
            Boolean o;
            Check(0 == (Int32)CallDefault(fs, "Init", out o) && 0 == (Int32)CallDefault(fs, "Mounted", out o),
                "Init and Mounted default to STATUS_SUCCESS");
            Check(IDR == (Int32)CallDefault(fs, "SetDelete", out o, null, null, "\\f", true) &&
                0 == (Int32)CallDefault(fs, "SetDelete", out o, null, null, "\\f", false),
                "SetDelete's default: CanDelete when deleting, success otherwise");
            Check(0 == (Int32)CallDefault(fs, "ReadDirectory", out o) && 0 == (Int32)CallDefault(fs, "GetStreamInfo", out o) &&
                0 == (Int32)CallDefault(fs, "GetEa", out o), "ReadDirectory, GetStreamInfo, GetEa default to empty lists");
            Check(false == (Boolean)CallDefault(fs, "ReadDirectoryEntry", out o) && o &&
                false == (Boolean)CallDefault(fs, "GetStreamEntry", out o) && o &&
                false == (Boolean)CallDefault(fs, "GetEaEntry", out o) && o, "the enumerators default to no entry");
            Check(FileSystemBase.STATUS_UNEXPECTED_IO_ERROR ==
                fs.ExceptionHandler(new InvalidOperationException("test-dotnet: the default ExceptionHandler logs this")),
                "ExceptionHandler defaults to STATUS_UNEXPECTED_IO_ERROR");

            FileSystemHost host = new FileSystemHost(fs);
            int wrong = 0;
            foreach (String p in HostProperties)
            {
                String[] tn = p.Split(' ');
                PropertyInfo pi = typeof(FileSystemHost).GetProperty(tn[1]);
                Object v = null == pi ? null : pi.GetValue(host, null);
                Object d = "String" == tn[0] ? (Object)"" : Activator.CreateInstance(Type.GetType("System." + tn[0]));
                if (null == pi || tn[0] != pi.PropertyType.Name || !pi.CanRead || !pi.CanWrite || !Object.Equals(d, v))
                {
                    wrong++;
                    Check(false, "FileSystemHost." + p + " { get; set; } = " + d);
                }
            }
            Check(0 == wrong, String.Format("FileSystemHost: all {0} of WinFsp's properties, read/write, with its defaults", HostProperties.Length));
            host.FileInfoTimeout = 1234;
            host.DirInfoTimeout = 5;
            Check(1234 == host.VolumeInfoTimeout && 1234 == host.EaTimeout && 5 == host.DirInfoTimeout,
                "a timeout not set reads back as FileInfoTimeout");
            host.Dispose();

            Check(1 == Service.EVENTLOG_ERROR_TYPE && 2 == Service.EVENTLOG_WARNING_TYPE && 4 == Service.EVENTLOG_INFORMATION_TYPE,
                "Service's EVENTLOG_* constants");
            PropertyInfo ec = typeof(Service).GetProperty("ExitCode"), sh = typeof(Service).GetProperty("ServiceHandle");
            Check(null != ec && ec.CanRead && ec.CanWrite && typeof(int) == ec.PropertyType &&
                null != sh && sh.CanRead && typeof(IntPtr) == sh.PropertyType, "Service.ExitCode and ServiceHandle");
            Check(null != typeof(Service).GetConstructor(new Type[] { typeof(String) }), "Service(String ServiceName)");
            Check(null != typeof(FileSystemHost).GetConstructor(new Type[] { typeof(FileSystemBase) }) &&
                typeof(IDisposable).IsAssignableFrom(typeof(FileSystemHost)) &&
                typeof(IDisposable).IsAssignableFrom(typeof(FileSystemBase.DirectoryBuffer)),
                "FileSystemHost(FileSystemBase) and DirectoryBuffer are IDisposable");
        }

        static void Constants(Action<Boolean, String> Check)
        {
            Check(0x1 == FileSystemBase.FILE_DIRECTORY_FILE && 0x200 == FileSystemBase.FILE_NO_EA_KNOWLEDGE &&
                0x1000 == FileSystemBase.FILE_DELETE_ON_CLOSE && 0x200000 == FileSystemBase.FILE_OPEN_REPARSE_POINT &&
                0x800000 == FileSystemBase.FILE_OPEN_FOR_FREE_SPACE_QUERY, "CreateOptions constants");
            /* WinFsp's 21 (LinFsp has FILE_DISALLOW_EXCLUSIVE 0x20000 too) */
            String[] options = { "DIRECTORY_FILE", "WRITE_THROUGH", "SEQUENTIAL_ONLY", "NO_INTERMEDIATE_BUFFERING",
                "SYNCHRONOUS_IO_ALERT", "SYNCHRONOUS_IO_NONALERT", "NON_DIRECTORY_FILE", "CREATE_TREE_CONNECTION",
                "COMPLETE_IF_OPLOCKED", "NO_EA_KNOWLEDGE", "OPEN_REMOTE_INSTANCE", "RANDOM_ACCESS", "DELETE_ON_CLOSE",
                "OPEN_BY_FILE_ID", "OPEN_FOR_BACKUP_INTENT", "NO_COMPRESSION", "OPEN_REQUIRING_OPLOCK",
                "RESERVE_OPFILTER", "OPEN_REPARSE_POINT", "OPEN_NO_RECALL", "OPEN_FOR_FREE_SPACE_QUERY" };
            UInt32[] values = { 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000,
                0x2000, 0x4000, 0x8000, 0x10000, 0x100000, 0x200000, 0x400000, 0x800000 };
            int found = 0;
            for (int i = 0; i < options.Length; i++)
            {
                FieldInfo f = typeof(FileSystemBase).GetField("FILE_" + options[i]);
                if (null != f && f.IsLiteral && values[i] == (UInt32)f.GetValue(null))
                    found++;
            }
            Check(21 == found, "WinFsp's 21 CreateOptions constants with their values (" + found + ")");
            Check(1 == FileSystemBase.CleanupDelete && 2 == FileSystemBase.CleanupSetAllocationSize &&
                0x10 == FileSystemBase.CleanupSetArchiveBit && 0x20 == FileSystemBase.CleanupSetLastAccessTime &&
                0x40 == FileSystemBase.CleanupSetLastWriteTime && 0x80 == FileSystemBase.CleanupSetChangeTime,
                "Cleanup flags");
            Check(0 == FileSystemBase.STATUS_SUCCESS && 0x103 == FileSystemBase.STATUS_PENDING &&
                0x104 == FileSystemBase.STATUS_REPARSE && unchecked((Int32)0x80000005) == FileSystemBase.STATUS_BUFFER_OVERFLOW &&
                unchecked((Int32)0xC0000010) == IDR && unchecked((Int32)0xC00000E9) == FileSystemBase.STATUS_UNEXPECTED_IO_ERROR,
                "the NTSTATUS values the layer relies on");
            int statuses = 0;
            foreach (FieldInfo f in typeof(FileSystemBase).GetFields(BindingFlags.Public | BindingFlags.Static))
                if (f.Name.StartsWith("STATUS_", StringComparison.Ordinal))
                    statuses++;
            /* LinFsp's <winfsp/ntstatus.h>, generated at build time (WinFsp's layer has Windows' 2,305: doc/dotnet.md) */
            Check(90 < statuses, "the STATUS_* constants of LinFsp's ntstatus.h (" + statuses + ")");
            Check(11 == (UInt32)NotifyAction.TunnelledIdCollision && 5 == (UInt32)NotifyAction.RenamedNewName &&
                0x3 == (UInt32)NotifyFilter.ChangeName && 0x800 == (UInt32)NotifyFilter.ChangeStreamWrite,
                "NotifyAction and NotifyFilter values");
            Check(null != typeof(NotifyInfo).GetField("FileName") && typeof(NotifyAction) == typeof(NotifyInfo).GetField("Action").FieldType &&
                typeof(NotifyFilter) == typeof(NotifyInfo).GetField("Filter").FieldType &&
                typeof(IntPtr) == typeof(IoStatusBlock).GetField("Status").FieldType &&
                typeof(IntPtr) == typeof(IoStatusBlock).GetField("Information").FieldType, "NotifyInfo and IoStatusBlock fields");
            String[] fi = { "FileAttributes", "ReparseTag", "AllocationSize", "FileSize", "CreationTime", "LastAccessTime",
                "LastWriteTime", "ChangeTime", "IndexNumber", "HardLinks" };
            Boolean all = null != typeof(FileInfo).GetProperty("EaSize") && null != typeof(VolumeInfo).GetMethod("SetVolumeLabel") &&
                null != typeof(VolumeInfo).GetField("TotalSize") && null != typeof(VolumeInfo).GetField("FreeSize");
            foreach (String n in fi)
                all &= null != typeof(FileInfo).GetField(n);
            Check(all, "FileInfo's fields and EaSize, VolumeInfo's sizes and SetVolumeLabel");
        }

        internal static void Run(Action<Boolean, String> Check)
        {
            Members(typeof(FileSystemBase), FileSystemBaseMembers, Check);
            Members(typeof(FileSystemHost), FileSystemHostMembers, Check);
            Members(typeof(Service), ServiceMembers, Check);
            Defaults(Check);
            Constants(Check);
        }
    }
}
