using System.Runtime.InteropServices;

namespace GpuNet.Benchmarks;

/// <summary>
/// The processor time the calling thread has used, from clock_gettime(CLOCK_THREAD_CPUTIME_ID)
/// on Linux: unlike the wall clock, it does not count the time the thread waited while another
/// process had its core, so rates taken from it stay comparable on a busy machine.
/// </summary>
internal static partial class ThreadProcessorTime
{
    private const int ThreadCpuTimeClock = 3;

    /// <summary>Seconds of processor time of this thread; NaN where the system does not say.</summary>
    public static double Seconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        return ClockGetTime(ThreadCpuTimeClock,
            out TimeSpec time) == 0 ? time.Seconds + time.Nanoseconds * 1e-9 : double.NaN;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
