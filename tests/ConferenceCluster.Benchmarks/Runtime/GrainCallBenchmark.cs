using System.Diagnostics;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Testing;

namespace ConferenceCluster.Benchmarks.Runtime;

public interface IBenchGrain : IGrainWithStringKey
{
    Task<int> Add(int a, int b);
}

public sealed class BenchGrain : Grain, IBenchGrain
{
    public Task<int> Add(int a, int b) => Task.FromResult(a + b);
}

/// <summary>The reference: the same interface call on a plain object, no runtime in between.</summary>
internal sealed class PlainAdder : IBenchGrain
{
    public Task<int> Add(int a, int b) => Task.FromResult(a + b);
}

/// <summary>
/// Calls per second and latency percentiles of grain calls under concurrent load (a fixed number of callers,
/// each awaiting its call before making the next), for: a plain async call (reference), a call to a grain on
/// the same silo, a call to a grain on another silo over loopback TCP, and a client → gateway → grain call.
/// </summary>
internal static class GrainCallBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = IntArg(args, "--seconds", 5);
        var concurrency = IntArg(args, "--concurrency", 64);
        Console.WriteLine($"# grain call benchmark: {seconds} s per case, {concurrency} concurrent callers, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            InitialSilosCount = 2,
            // Production membership timings: the test cluster's sub-second probes would take a saturated
            // machine's silos for dead.
            ConfigureSilo = b => b.AddGrain<IBenchGrain, BenchGrain>().UseMembershipOptions(new ClusterMembershipOptions()),
        });
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var client = await cluster.CreateClientAsync(new() { Gateways = [$"127.0.0.1:{b.Details.GatewayPort}"] });

        // Activate every callee where the case wants it before measuring.
        var local = Enumerable.Range(0, concurrency).Select(i => a.GrainFactory.GetGrain<IBenchGrain>($"local-{i}")).ToArray();
        var remoteKeys = Enumerable.Range(0, concurrency).Select(i => $"remote-{i}").ToArray();
        foreach (var key in remoteKeys) await b.GrainFactory.GetGrain<IBenchGrain>(key).Add(0, 0);
        var remote = remoteKeys.Select(k => a.GrainFactory.GetGrain<IBenchGrain>(k)).ToArray();
        var viaGateway = remoteKeys.Select(k => client.GetGrain<IBenchGrain>(k)).ToArray();
        var plain = Enumerable.Range(0, concurrency).Select(_ => (IBenchGrain)new PlainAdder()).ToArray();

        Console.WriteLine("| case | calls/s (wall) | calls per CPU-second | p50 µs | p99 µs | throughput vs reference |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var reference = await MeasureAsync("plain async call (reference)", plain, seconds, null);
        await MeasureAsync("local grain call", local, seconds, reference);
        await MeasureAsync("cross-silo grain call (loopback TCP)", remote, seconds, reference);
        await MeasureAsync("client -> gateway -> grain", viaGateway, seconds, reference);
    }

    private static async Task<double> MeasureAsync(string name, IBenchGrain[] targets, int seconds, double? reference)
    {
        // Warm up (JIT, tiering, connections), then measure.
        await RunCallersAsync(targets, TimeSpan.FromSeconds(1), null);
        var latencies = new List<long>[targets.Length];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var calls = await RunCallersAsync(targets, TimeSpan.FromSeconds(seconds), latencies);
        var rate = calls / stopwatch.Elapsed.TotalSeconds;
        process.Refresh();
        // CPU time of this process (callers, silos and client alike): steadier than wall clock on a shared machine.
        var perCpuSecond = calls / (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[(int)Math.Min(all.Length - 1, p * all.Length)] * 1e6 / Stopwatch.Frequency;
        var ratio = reference is { } r ? $"{rate / r:P2} of reference" : "reference";
        Console.WriteLine($"| {name} | {rate:N0} | {perCpuSecond:N0} | {Percentile(0.50):N1} | {Percentile(0.99):N1} | {ratio} |");
        return rate;
    }

    private static async Task<long> RunCallersAsync(IBenchGrain[] targets, TimeSpan duration, List<long>[]? latencies)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = new long[targets.Length];
        await Task.WhenAll(targets.Select((target, i) => Task.Run(async () =>
        {
            var samples = latencies is null ? null : latencies[i] = new List<long>(1 << 16);
            long n = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                await target.Add(1, 2).ConfigureAwait(false);
                // Keep one sample in 16 to bound memory on fast cases.
                if (samples is not null && (n & 15) == 0) samples.Add(Stopwatch.GetTimestamp() - start);
                n++;
            }
            counts[i] = n;
        })));
        return counts.Sum();
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;
    }
}
