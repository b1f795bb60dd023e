using System.Diagnostics;
using System.Globalization;

namespace ConferenceCluster.Media.Benchmarks;

/// <summary>
/// The same ticks as <see cref="MediaTickBenchmarks"/>, costed in <b>CPU time</b> of this process rather than
/// wall-clock time. On a machine shared with other work, wall-clock means include the time the thread waited
/// for a core; CPU time does not, and it is what the Janus anchor reports (utime+stime from /proc), so this is the
/// like-for-like figure. Runs single-threaded, a few seconds in all.
/// </summary>
/// <remarks>Usage: <c>--cpu-probe [ticks] [N ...]</c>, default 200 ticks (and at least 0.5 s of CPU) per case at N = 10 50 100.</remarks>
internal static class CpuTimeProbe
{
    private static readonly TimeSpan MinimumCpu = TimeSpan.FromMilliseconds(500);

    public static void Run(string[] args)
    {
        int ticks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        int[] sizes = args.Length > 2 ? args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [10, 50, 100];
        Console.WriteLine($"CPU-time probe: at least {ticks} ticks and {MinimumCpu.TotalMilliseconds} ms CPU per case, after {ticks / 5} warm-up ticks; Opus {Codecs.Opus.OpusCodecs.Implementation}; {Environment.ProcessorCount} cores");
        Console.WriteLine("| Case | N | CPU ms per tick | wall ms per tick | Participants/core (CPU) | vs (a) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (int participants in sizes)
        {
            var benchmarks = new MediaTickBenchmarks { Participants = participants };
            benchmarks.Setup();
            (string Name, Func<int> Tick)[] cases =
            [
                ("A_CodecFloor", benchmarks.A_CodecFloor),
                ("B_MixerOnly_Top4", benchmarks.B_MixerOnly_Top4),
                ("B_MixerOnly_AllMixed", benchmarks.B_MixerOnly_AllMixed),
                ("C_MixerAndCodecs_Top4", benchmarks.C_MixerAndCodecs_Top4),
                ("C_MixerAndCodecs_AllMixed", benchmarks.C_MixerAndCodecs_AllMixed),
            ];
            double floorPerCore = double.NaN;
            foreach ((string name, Func<int> tick) in cases)
            {
                (double cpuMs, double wallMs) = Measure(tick, ticks);
                double perCore = participants * AudioFormat.FrameMilliseconds / cpuMs;
                if (name == "A_CodecFloor")
                {
                    floorPerCore = perCore;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {participants} | {cpuMs:F3} | {wallMs:F3} | {perCore:N0} | {perCore / floorPerCore:F2}x |"));
            }

            benchmarks.Cleanup();
        }
    }

    /// <summary>
    /// CPU and wall milliseconds per call of <paramref name="tick"/>, after <paramref name="ticks"/>/5 warm-up calls.
    /// Process CPU time advances in scheduler ticks (milliseconds), so cheap cases repeat until they have used at least
    /// <see cref="MinimumCpu"/>; the codec cases stop after <paramref name="ticks"/>.
    /// </summary>
    internal static (double CpuMs, double WallMs) Measure(Func<int> tick, int ticks)
    {
        for (int i = 0; i < ticks / 5; i++)
        {
            tick();
        }

        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        long wallBefore = Stopwatch.GetTimestamp();
        long done = 0;
        TimeSpan cpuUsed;
        do
        {
            for (int i = 0; i < ticks; i++)
            {
                tick();
            }

            done += ticks;
            self.Refresh();
            cpuUsed = self.TotalProcessorTime - cpuBefore;
        }
        while (cpuUsed < MinimumCpu);

        return (cpuUsed.TotalMilliseconds / done, Stopwatch.GetElapsedTime(wallBefore).TotalMilliseconds / done);
    }
}
