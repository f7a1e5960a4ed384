/*
 * dotnet/Fsp/Win32Status.cs - Win32 error codes <-> NTSTATUS for NtStatusFromWin32 and
 * Win32FromNtStatus. LinFsp has no Win32 layer; .NET's IOException.HResult carries a Win32 code
 * (0x8007xxxx) on Mono and .NET alike, which is what a ported exception handler converts.
 * The common file-system errors are mapped; others give STATUS_UNSUCCESSFUL / ERROR_GEN_FAILURE.
 */
using System;

namespace Fsp
{
    internal static class Win32Status
    {
        private static readonly UInt32[] Win32 =
        {
            0, 1, 2, 3, 4, 5, 6, 8, 14, 15, 17, 19, 32, 33, 38, 39, 50, 80, 82, 87, 112, 122,
            123, 145, 161, 183, 206, 267, 1005, 1117, 1392, 4390,
        };
        private static readonly UInt32[] Nt =
        {
            0x00000000, /* ERROR_SUCCESS */
            0xC0000010, /* ERROR_INVALID_FUNCTION: STATUS_INVALID_DEVICE_REQUEST */
            0xC0000034, /* ERROR_FILE_NOT_FOUND: STATUS_OBJECT_NAME_NOT_FOUND */
            0xC000003A, /* ERROR_PATH_NOT_FOUND: STATUS_OBJECT_PATH_NOT_FOUND */
            0xC000011F, /* ERROR_TOO_MANY_OPEN_FILES: STATUS_TOO_MANY_OPENED_FILES */
            0xC0000022, /* ERROR_ACCESS_DENIED */
            0xC0000008, /* ERROR_INVALID_HANDLE */
            0xC000009A, /* ERROR_NOT_ENOUGH_MEMORY: STATUS_INSUFFICIENT_RESOURCES */
            0xC000009A, /* ERROR_OUTOFMEMORY */
            0xC000000E, /* ERROR_INVALID_DRIVE: STATUS_NO_SUCH_DEVICE */
            0xC00000D4, /* ERROR_NOT_SAME_DEVICE */
            0xC00000A2, /* ERROR_WRITE_PROTECT: STATUS_MEDIA_WRITE_PROTECTED */
            0xC0000043, /* ERROR_SHARING_VIOLATION */
            0xC0000054, /* ERROR_LOCK_VIOLATION: STATUS_FILE_LOCK_CONFLICT */
            0xC0000011, /* ERROR_HANDLE_EOF: STATUS_END_OF_FILE */
            0xC000007F, /* ERROR_HANDLE_DISK_FULL: STATUS_DISK_FULL */
            0xC00000BB, /* ERROR_NOT_SUPPORTED */
            0xC0000035, /* ERROR_FILE_EXISTS: STATUS_OBJECT_NAME_COLLISION */
            0xC0000001, /* ERROR_CANNOT_MAKE: STATUS_UNSUCCESSFUL */
            0xC000000D, /* ERROR_INVALID_PARAMETER */
            0xC000007F, /* ERROR_DISK_FULL */
            0xC0000023, /* ERROR_INSUFFICIENT_BUFFER: STATUS_BUFFER_TOO_SMALL */
            0xC0000033, /* ERROR_INVALID_NAME: STATUS_OBJECT_NAME_INVALID */
            0xC0000101, /* ERROR_DIR_NOT_EMPTY: STATUS_DIRECTORY_NOT_EMPTY */
            0xC0000039, /* ERROR_BAD_PATHNAME: STATUS_OBJECT_PATH_INVALID */
            0xC0000035, /* ERROR_ALREADY_EXISTS: STATUS_OBJECT_NAME_COLLISION */
            0xC0000033, /* ERROR_FILENAME_EXCED_RANGE: STATUS_OBJECT_NAME_INVALID */
            0xC0000103, /* ERROR_DIRECTORY: STATUS_NOT_A_DIRECTORY */
            0xC0000102, /* ERROR_FILE_CORRUPT: STATUS_FILE_CORRUPT_ERROR */
            0xC000009C, /* ERROR_IO_DEVICE: STATUS_DEVICE_DATA_ERROR */
            0xC0000102, /* ERROR_DISK_CORRUPT: STATUS_FILE_CORRUPT_ERROR */
            0xC0000275, /* ERROR_NOT_A_REPARSE_POINT: STATUS_NOT_A_REPARSE_POINT */
        };

        internal static Int32 ToNtStatus(UInt32 Error)
        {
            for (int i = 0; i < Win32.Length; i++)
                if (Win32[i] == Error)
                    return unchecked((Int32)Nt[i]);
            return unchecked((Int32)0xC0000001); /* STATUS_UNSUCCESSFUL */
        }

        internal static UInt32 FromNtStatus(Int32 Status)
        {
            if (0 <= Status)
                return 0;
            for (int i = 0; i < Nt.Length; i++)
                if (unchecked((Int32)Nt[i]) == Status)
                    return Win32[i];
            return 31; /* ERROR_GEN_FAILURE */
        }
    }
}
