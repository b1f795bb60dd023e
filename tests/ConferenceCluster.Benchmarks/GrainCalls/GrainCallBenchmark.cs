using System.Diagnostics;
using System.Net;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.TestingHost;

namespace ConferenceCluster.Benchmarks.GrainCalls;

[Alias("cc.bench.IBenchGrain")]
public interface IBenchGrain : IGrainWithStringKey
{
    Task<int> Add(int a, int b);
}

/// <summary>Activated on the silo that calls it first, so each case puts its callees where it wants them.</summary>
[PreferLocalPlacement]
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
/// Calls per second and latency percentiles of grain calls under concurrent load (a fixed number of callers, each
/// awaiting its call before making the next), on Microsoft Orleans: a plain async call (reference), a call from a silo
/// to a grain active on that silo, a call to a grain on the other silo over loopback TCP, and a client → gateway → grain
/// call. Two silos of Orleans' TestCluster in this process (its TCP socket transport on loopback, test membership), production
/// membership timings; the client is a separate Orleans client connected to the second silo's gateway only.
/// </summary>
internal static class GrainCallBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = IntArg(args, "--seconds", 5);
        var concurrency = IntArg(args, "--concurrency", 64);
        var orleans = typeof(Grain).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        Console.WriteLine($"# grain call benchmark (Orleans {orleans}): {seconds} s per case, {concurrency} concurrent callers, " +
                          $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");

        var builder = new TestClusterBuilder(2);
        // Real sockets, as the old runtime's figures were taken (TestCluster's default is an in-memory transport).
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false; // TestCluster would write ./logs/testcluster-*.log
        builder.AddSiloBuilderConfigurator<QuietSilo>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        var factoryA = cluster.GetSiloServiceProvider(a.SiloAddress).GetRequiredService<IGrainFactory>();
        var factoryB = cluster.GetSiloServiceProvider(b.SiloAddress).GetRequiredService<IGrainFactory>();
        using var client = await ConnectAsync(cluster.Options.ClusterId, cluster.Options.ServiceId, b.GatewayAddress.Endpoint);
        var clientGrains = client.Services.GetRequiredService<IClusterClient>();

        // Activate every callee where the case wants it before measuring (prefer-local placement: where first called).
        var local = Enumerable.Range(0, concurrency).Select(i => factoryA.GetGrain<IBenchGrain>($"local-{i}")).ToArray();
        foreach (var grain in local) await grain.Add(0, 0);
        var remoteKeys = Enumerable.Range(0, concurrency).Select(i => $"remote-{i}").ToArray();
        foreach (var key in remoteKeys) await factoryB.GetGrain<IBenchGrain>(key).Add(0, 0);
        var remote = remoteKeys.Select(k => factoryA.GetGrain<IBenchGrain>(k)).ToArray();
        var viaGateway = remoteKeys.Select(k => clientGrains.GetGrain<IBenchGrain>(k)).ToArray();
        var plain = Enumerable.Range(0, concurrency).Select(_ => (IBenchGrain)new PlainAdder()).ToArray();

        Console.WriteLine("| case | calls/s (wall) | calls per CPU-second | p50 µs | p99 µs | throughput vs reference |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var reference = await MeasureAsync("plain async call (reference)", plain, seconds, null);
        await MeasureAsync("local grain call", local, seconds, reference);
        await MeasureAsync("cross-silo grain call (loopback TCP)", remote, seconds, reference);
        await MeasureAsync("client -> gateway -> grain", viaGateway, seconds, reference);
        await client.StopAsync();
        await cluster.StopAllSilosAsync();
    }

    /// <summary>Only warnings in the log (TestingHost leaves membership and messaging at Orleans' production settings).</summary>
    private sealed class QuietSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    private static async Task<IHost> ConnectAsync(string clusterId, string serviceId, IPEndPoint gateway)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId))
                .UseStaticClustering(gateway))
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .Build();
        await host.StartAsync();
        return host;
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
