/*
 * dotnet/Fsp/Utf32.cs - LinFsp's WCHAR is wchar_t: UTF-32. .NET strings are UTF-16. Every name,
 * SDDL string and directory entry crosses here, explicitly (Mono's LPWStr marshalling is 2-byte).
 *
 * - Code points above U+FFFF become surrogate pairs and back.
 * - A lone surrogate (LinFsp carries bytes of names that are not UTF-8 as U+DC80..U+DCFF) is kept
 *   as that one UTF-16 unit, so such names round-trip.
 * - UTF-32 values that are no code point (above U+10FFFF) become U+FFFD.
 * No allocation is left behind: decoding makes the string only; Alloc's memory is freed by its
 * caller in a finally block.
 */
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Fsp.Interop
{
    /// <summary>UTF-32 (native WCHAR) to and from System.String.</summary>
    public static unsafe class Utf32
    {
        /// <summary>Characters (code points) in a NUL-terminated UTF-32 string.</summary>
        public static int Length(IntPtr p)
        {
            UInt32 *s = (UInt32 *)p;
            int n = 0;
            while (0 != s[n])
                n++;
            return n;
        }

        /// <summary>A NUL-terminated UTF-32 string; null for a null pointer.</summary>
        public static String Decode(IntPtr p)
        {
            if (IntPtr.Zero == p)
                return null;
            return Decode((UInt32 *)p, Length(p));
        }

        /// <summary>Count UTF-32 values.</summary>
        public static String Decode(UInt32 *s, int count)
        {
            if (0 == count)
                return String.Empty;
            int units = count;
            for (int i = 0; i < count; i++)
                if (s[i] > 0xFFFF && s[i] <= 0x10FFFF)
                    units++;
            if (units <= 512)
            {
                char *buf = stackalloc char[units];
                Fill(s, count, buf);
                return new String(buf, 0, units);
            }
            char[] heap = new char[units];
            fixed (char *buf = heap)
            {
                Fill(s, count, buf);
                return new String(buf, 0, units);
            }
        }

        private static void Fill(UInt32 *s, int count, char *d)
        {
            for (int i = 0; i < count; i++)
            {
                UInt32 c = s[i];
                if (c <= 0xFFFF)
                    *d++ = (char)c;
                else if (c <= 0x10FFFF)
                {
                    c -= 0x10000;
                    *d++ = (char)(0xD800 + (c >> 10));
                    *d++ = (char)(0xDC00 + (c & 0x3FF));
                }
                else
                    *d++ = '\uFFFD';
            }
        }

        /// <summary>UTF-32 values the string needs (without a NUL).</summary>
        public static int EncodedLength(String s)
        {
            int n = 0;
            for (int i = 0; i < s.Length; i++, n++)
                if (Char.IsHighSurrogate(s[i]) && i + 1 < s.Length && Char.IsLowSurrogate(s[i + 1]))
                    i++;
            return n;
        }

        /// <summary>Write at most max UTF-32 values of s to d (no NUL); returns how many.</summary>
        public static int Encode(String s, UInt32 *d, int max)
        {
            int n = 0;
            for (int i = 0; i < s.Length && n < max; i++, n++)
            {
                char c = s[i];
                if (Char.IsHighSurrogate(c) && i + 1 < s.Length && Char.IsLowSurrogate(s[i + 1]))
                {
                    d[n] = (UInt32)Char.ConvertToUtf32(c, s[i + 1]);
                    i++;
                }
                else
                    d[n] = c;
            }
            return n;
        }

        /// <summary>A NUL-terminated UTF-32 copy in unmanaged memory; free it with Free. Null gives zero.</summary>
        public static IntPtr Alloc(String s)
        {
            if (null == s)
                return IntPtr.Zero;
            int n = EncodedLength(s);
            IntPtr p = Marshal.AllocHGlobal((n + 1) * 4);
            Encode(s, (UInt32 *)p, n);
            ((UInt32 *)p)[n] = 0;
            return p;
        }

        public static void Free(IntPtr p)
        {
            if (IntPtr.Zero != p)
                Marshal.FreeHGlobal(p);
        }

        /* UTF-8 (NUL-terminated, unmanaged) for the few narrow strings: mount options, log lines. */
        internal static IntPtr AllocUtf8(String s)
        {
            byte[] b = Encoding.UTF8.GetBytes(s ?? "");
            IntPtr p = Marshal.AllocHGlobal(b.Length + 1);
            Marshal.Copy(b, 0, p, b.Length);
            ((byte *)p)[b.Length] = 0;
            return p;
        }
    }
}
