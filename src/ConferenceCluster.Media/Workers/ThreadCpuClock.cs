using System.Runtime.InteropServices;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// CPU time consumed by the calling thread. A worker reads its own, which is what a per-core capacity figure needs
/// (process CPU would include the load generator and everyone else in the process).
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    private static readonly bool Supported = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>The calling thread's CPU time, or zero where it cannot be read.</summary>
    public static TimeSpan CurrentThread()
    {
        if (!Supported || ClockGetTime(ClockThreadCpuTimeId, out TimeSpec time) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);
    }
}
