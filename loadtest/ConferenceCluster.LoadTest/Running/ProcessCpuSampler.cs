using System.Diagnostics;
using ConferenceCluster.LoadTest.Reporting;

namespace ConferenceCluster.LoadTest.Running;

/// <summary>
/// CPU of local processes (the silos under test, by pid), sampled by the caller at its own pace: percent of one
/// core between two samples, as top shows it. A process that is gone or not ours to read is dropped quietly.
/// </summary>
public sealed class ProcessCpuSampler
{
    private readonly Dictionary<int, Tracked> _tracked = new();

    public ProcessCpuSampler(IEnumerable<int> pids)
    {
        foreach (var pid in pids.Distinct())
        {
            try
            {
                var process = Process.GetProcessById(pid);
                var name = pid == Environment.ProcessId ? "load generator" : process.ProcessName;
                _tracked[pid] = new Tracked(name, process.TotalProcessorTime, Stopwatch.GetTimestamp());
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Not running: nothing to show.
            }
        }
    }

    /// <summary>The latest percent per pid (after at least one <see cref="Sample"/>).</summary>
    public IReadOnlyDictionary<int, double> Latest => _tracked.ToDictionary(t => t.Key, t => t.Value.LatestPercent);

    public void Sample()
    {
        foreach (var (pid, tracked) in _tracked)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                var cpu = process.TotalProcessorTime;
                var now = Stopwatch.GetTimestamp();
                var wall = Stopwatch.GetElapsedTime(tracked.LastWall, now);
                if (wall <= TimeSpan.Zero) continue;
                var percent = 100 * (cpu - tracked.LastCpu).TotalMilliseconds / wall.TotalMilliseconds;
                tracked.LastCpu = cpu;
                tracked.LastWall = now;
                tracked.LatestPercent = percent;
                tracked.Samples.Add(percent);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited during the run: keep what was measured.
            }
        }
    }

    public IReadOnlyList<ProcessCpu> Summary() => _tracked
        .Where(t => t.Value.Samples.Count > 0)
        .Select(t => new ProcessCpu(t.Key, t.Value.Name, t.Value.Samples.Average(), t.Value.Samples.Max()))
        .ToList();

    private sealed class Tracked(string name, TimeSpan cpu, long wall)
    {
        public string Name { get; } = name;

        public TimeSpan LastCpu { get; set; } = cpu;

        public long LastWall { get; set; } = wall;

        public double LatestPercent { get; set; }

        public List<double> Samples { get; } = [];
    }
}
