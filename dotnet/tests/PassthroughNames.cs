/*
 * dotnet/tests/PassthroughNames.cs - passthrough-dotnet's file system called directly (nothing
 * mounted) with names no kernel sends: "..", ".", empty components, and paths through source-side
 * symlinks that lead outside (as tests/tools/passthrough-names.c does for the C passthrough).
 * Every such call must fail (an exception counts: through FileSystemHost it becomes
 * ExceptionHandler's STATUS_OBJECT_NAME_INVALID), and nothing outside the source may appear,
 * change or vanish. Complements test-passthrough.sh, which can only send what the kernel sends.
 */
using System;
using System.IO;
using Fsp;
using FileInfo = Fsp.Interop.FileInfo;

namespace Tests
{
    static class PassthroughNames
    {
        delegate Int32 Call();

        static Boolean Fails(Call c)
        {
            try
            {
                return 0 > c();
            }
            catch (ArgumentException)
            {
                return true;
            }
        }

        internal static void Run(String Dir, Action<Boolean, String> Check)
        {
            Program.Sh("set -e; cd '" + Dir + "'; mkdir -p src/a outside; echo v > victim; echo v > outside/victim; " +
                "echo hi > src/file; ln -s '" + Dir + "/outside' src/esc; ln -s ../outside src/rel");
            String state = "cd '" + Dir + "' && find . -path ./src -prune -o -print | sort | xargs ls -ld --time-style=+%s.%N";
            String before = Program.Sh(state);
            Passthrough.Ptfs fs = new Passthrough.Ptfs(Dir + "/src", 1000, null);
            FileSystemHost host = new FileSystemHost(fs);
            Check(0 == fs.Init(host), "passthrough-dotnet's Init on a source (not mounted)");
            String[] bad = { "\\..\\x", "\\..", "\\a\\..\\..\\x", "\\.\\x", "\\.", "\\a\\.\\x", "\\a\\\\x", "\\a\\",
                "\\esc\\x", "\\rel\\x", "\\esc\\victim", "\\rel\\victim", "\\esc\\..\\victim", "", "x" };
            int wrong = 0;
            Object N, D;
            FileInfo fi;
            String nn;
            UInt32 attrs;
            foreach (String name in bad)
            {
                Boolean ok = Fails(() => fs.CreateEx(name, 0, 3, 0, null, 0, IntPtr.Zero, 0, false, out N, out D, out fi, out nn)) &&
                    Fails(() => fs.CreateEx(name, FileSystemBase.FILE_DIRECTORY_FILE, 3, 0, null, 0, IntPtr.Zero, 0, false,
                        out N, out D, out fi, out nn)) &&
                    Fails(() => fs.Open(name, 0, 3, out N, out D, out fi, out nn)) &&
                    Fails(() => { Byte[] sd = new Byte[0]; return fs.GetSecurityByName(name, out attrs, ref sd); });
                if (!ok)
                {
                    wrong++;
                    Check(false, "passthrough-dotnet refuses the name \"" + name + "\"");
                }
            }
            Check(0 == wrong, String.Format("passthrough-dotnet refuses {0} names that climb, mean another or pass a symlink", bad.Length));
            /* renames, hard links and deletes of a real file under those names */
            Object file;
            wrong = 0;
            if (0 > fs.Open("\\file", 0, 3, out N, out file, out fi, out nn))
                Check(false, "open \\file");
            else
            {
                foreach (String name in bad)
                {
                    if (!Fails(() => fs.Rename(null, file, "\\file", name, true)) ||
                        !Fails(() => fs.CreateHardLink(null, file, "\\file", name, out fi)))
                    {
                        wrong++;
                        Check(false, "no rename or link of \\file to \"" + name + "\"");
                    }
                    try
                    {
                        fs.Cleanup(null, file, name, FileSystemBase.CleanupDelete);
                    }
                    catch (ArgumentException)
                    {
                    }
                }
                fs.Close(null, file);
                Check(0 == wrong, "no rename or hard link to such a name; no delete under one");
            }
            fs.Unmounted(host);
            Check(before == Program.Sh(state), "nothing outside the source appeared, changed or vanished");
            Check("ok\n" == Program.Sh("cd '" + Dir + "/src' && test -f file && test -L esc && test -L rel && echo ok"),
                "the source kept its names");
            Program.Sh("rm -rf '" + Dir + "/src' '" + Dir + "/outside' '" + Dir + "/victim'");
        }
    }
}
