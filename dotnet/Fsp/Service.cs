/*
 * dotnet/Fsp/Service.cs - WinFsp's Fsp.Service for Linux: a program that serves a file system
 * in the foreground until SIGINT, SIGTERM or SIGHUP (or Stop), as LinFsp's FspServiceRun does.
 *
 * The native FspServiceRun cannot be used under a managed runtime: it blocks the stop signals
 * only in its own thread, and the runtime's threads (finalizer, thread pool, GC) would take a
 * SIGTERM with its default action. Mono.Unix.UnixSignal (Mono.Posix, shipped with Debian's
 * Mono; Mono.Posix.NETStandard elsewhere) installs process-wide handlers instead.
 */
using System;
using System.Threading;
using Mono.Unix;
using Mono.Unix.Native;

namespace Fsp
{
    public class Service
    {
        public const UInt32 EVENTLOG_ERROR_TYPE = 0x0001;
        public const UInt32 EVENTLOG_WARNING_TYPE = 0x0002;
        public const UInt32 EVENTLOG_INFORMATION_TYPE = 0x0004;

        private const Int32 STATUS_INVALID_PARAMETER = unchecked((Int32)0xC000000D);
        private static readonly Object RunningLock = new Object();
        private static Service _Running;
        private static String _LogName = "linfsp";
        private readonly String _ServiceName;
        private volatile bool _StopRequested;

        public Service(String ServiceName)
        {
            _ServiceName = ServiceName ?? "linfsp";
        }

        /// <summary>The service running in this process (Run), or null.</summary>
        internal static Service Running
        {
            get { lock (RunningLock) return _Running; }
        }

        /// <summary>
        /// Call OnStart with the command line (Args[0] is the service name), wait for SIGINT,
        /// SIGTERM or SIGHUP (or Stop), call OnStop, return ExitCode. When OnStart fails the
        /// result is ExitCode if set, else 2 for STATUS_INVALID_PARAMETER and 1 otherwise.
        /// </summary>
        public int Run()
        {
            lock (RunningLock)
            {
                if (null != _Running)
                    return 1;
                _Running = this;
                _LogName = _ServiceName;
            }
            UnixSignal[] signals = null;
            try
            {
                /* Handlers first: a signal during OnStart then stops the service once it started. */
                signals = new UnixSignal[]
                {
                    new UnixSignal(Signum.SIGINT), new UnixSignal(Signum.SIGTERM), new UnixSignal(Signum.SIGHUP),
                };
                String[] argv = Environment.GetCommandLineArgs();
                String[] Args = new String[Math.Max(1, argv.Length)];
                Args[0] = _ServiceName;
                Array.Copy(argv, 1, Args, 1, argv.Length - 1);
                Int32 Result;
                try
                {
                    OnStart(Args);
                    Result = 0;
                }
                catch (Exception ex)
                {
                    Result = CallExceptionHandler(ex);
                }
                if (0 > Result)
                {
                    if (0 == ExitCode)
                        ExitCode = STATUS_INVALID_PARAMETER == Result ? 2 : 1;
                    return ExitCode;
                }
                while (!_StopRequested)
                {
                    int i = UnixSignal.WaitAny(signals, 250);
                    if (0 <= i && i < signals.Length)
                        break;
                }
                try
                {
                    OnStop();
                }
                catch (Exception ex)
                {
                    CallExceptionHandler(ex);
                }
                return ExitCode;
            }
            finally
            {
                if (null != signals)
                    foreach (UnixSignal s in signals)
                        s.Dispose();
                lock (RunningLock)
                    _Running = null;
            }
        }

        /// <summary>Ask Run to stop (any thread).</summary>
        public void Stop()
        {
            if (Running != this)
                throw new InvalidOperationException("the service is not running");
            _StopRequested = true;
        }
        /// <summary>Nothing to do on Linux (no service control manager); kept for source compatibility.</summary>
        public void RequestTime(UInt32 Time)
        {
            if (Running != this)
                throw new InvalidOperationException("the service is not running");
        }
        public int ExitCode { get; set; }
        /// <summary>No native service object on Linux: always zero.</summary>
        public IntPtr ServiceHandle
        {
            get { return IntPtr.Zero; }
        }
        /// <summary>Write "NAME: message" to stderr (Type is ignored: there is no event log).</summary>
        public static void Log(UInt32 Type, String Message)
        {
            String name;
            lock (RunningLock)
                name = _LogName;
            Console.Error.WriteLine("{0}: {1}", name, Message);
        }

        protected virtual void OnStart(String[] Args)
        {
        }
        protected virtual void OnStop()
        {
        }
        protected virtual Int32 ExceptionHandler(Exception ex)
        {
            return unchecked((Int32)0xE0434F4D); /* STATUS_CLR_EXCEPTION */
        }
        private Int32 CallExceptionHandler(Exception ex)
        {
            try
            {
                return ExceptionHandler(ex);
            }
            catch
            {
                return unchecked((Int32)0xE0434F4D);
            }
        }
    }
}
