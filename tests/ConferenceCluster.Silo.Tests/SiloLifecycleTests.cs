using System.Reflection;
using ConferenceCluster.Conferencing.Configuration.Store;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace ConferenceCluster.Silo.Tests;

public class SiloLifecycleTests
{
    /// <summary>
    /// A stop request: the host exits 0, its silo left gracefully (Orleans' ShuttingDown, not a stop without a leave), and
    /// the cluster's membership shows it Dead (another silo of the cluster, on the test PostgreSQL, reads the table).
    /// </summary>
    [Fact]
    public async Task A_stop_request_leaves_the_cluster_gracefully_and_exits_zero()
    {
        var cluster = TestSilos.PostgresCluster("graceful");
        var leaves = new LeaveRecorder();
        await using var observer = await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = "observer" }));
        await using var host = TestSilos.Create(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = "leaver" }), configureSilo: leaves.Install);
        using var stop = new CancellationTokenSource();
        var run = host.RunAsync(stop.Token);
        await host.ServingAsync(run);
        var address = host.Silo.Address;
        await Eventually.TrueAsync(() => observer.Silo.Membership.GetSiloStatus(address) == SiloStatus.Active, "the observer to see the leaver active");

        stop.Cancel();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        Assert.Equal(SiloStatus.ShuttingDown, await leaves.LeftAsync(address).WaitAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => observer.Silo.Membership.GetSiloStatus(address) == SiloStatus.Dead, "the observer to see the leaver dead");
    }

    /// <summary>
    /// What the other silos' votes do to a silo they take for dead: its row says Dead (Orleans' TryKill writes it, as a
    /// vote would). The silo reads it, stops, and the host exits non-zero for its supervisor to restart it.
    /// </summary>
    [Fact]
    public async Task A_silo_declared_dead_by_the_cluster_makes_the_host_exit_non_zero()
    {
        var cluster = TestSilos.PostgresCluster("declared-dead");
        var logs = new CapturedLogs();
        await using var voter = await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = "voter" }));
        await using var host = TestSilos.Create(cluster.With(new Dictionary<string, string?>
        {
            ["Silo:Name"] = "condemned",
            ["Cluster:Membership:TableRefreshTimeout"] = "00:00:00.500",
        }), logs);
        var run = host.RunAsync();
        await host.ServingAsync(run);
        var address = host.Silo.Address;
        await Eventually.TrueAsync(() => voter.Silo.Membership.GetSiloStatus(address) == SiloStatus.Active, "the voter to see it active");

        Assert.True(await voter.Silo.Services.GetRequiredService<IClusterMembershipService>().TryKill(address));
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(SiloHost.ExitSiloFailed, exitCode);
        Assert.Contains(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Critical && e.Message.Contains("I have been told I am dead", StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>Silo:GrainAssemblies</c> loads grains the host was not built with. The probe grains' assembly is not referenced by
    /// this test project (nor loaded before the host starts), so only the configured path can bring its grain in; the
    /// test reaches it by reflection for the same reason.
    /// </summary>
    [Fact]
    public async Task Grains_of_the_configured_grain_assemblies_are_hosted()
    {
        const string ProbeAssembly = "ConferenceCluster.Integration.TestGrains";
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == ProbeAssembly);
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?>
        {
            ["Silo:Name"] = "with-probes",
            ["Silo:GrainAssemblies:0"] = TestGrainAssemblies.PathOf(ProbeAssembly),
        });

        var probes = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == ProbeAssembly);
        var probeInterface = probes.GetType($"{ProbeAssembly}.IProbeGrain", throwOnError: true)!;
        var getGrain = typeof(IGrainFactory).GetMethods().Single(m => m.Name == nameof(IGrainFactory.GetGrain) && m.IsGenericMethodDefinition
            && m.GetParameters().Select(p => p.ParameterType).SequenceEqual([typeof(string), typeof(string)]));
        var probe = getGrain.MakeGenericMethod(probeInterface).Invoke(host.Silo.GrainFactory, ["k", null])!;
        var where = (Task)probeInterface.GetMethod("Where")!.Invoke(probe, null)!;
        await where;
        var answer = where.GetType().GetProperty("Result")!.GetValue(where)!;

        Assert.Equal("with-probes", answer.GetType().GetProperty("SiloName")!.GetValue(answer));
        Assert.Equal(1, answer.GetType().GetProperty("Calls")!.GetValue(answer));
    }

    /// <summary>The node's location, role and bound HTTP port are published with its silo (Orleans' silo metadata) for the other silos.</summary>
    [Fact]
    public async Task The_membership_row_carries_location_role_and_the_bound_http_port()
    {
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?>
        {
            ["Silo:Location"] = "Paris",
            ["Silo:Role"] = "Proxying",
        });

        var metadata = await PublishedMetadataAsync(host, host.Silo.Address);

        Assert.Equal("Paris", metadata[NodeMetadataKeys.Location]);
        Assert.Equal("proxying", metadata[NodeMetadataKeys.Role]);
        Assert.Equal(host.HttpPort.ToString(), metadata[NodeMetadataKeys.HttpPort]);
        Assert.NotEqual(0, host.HttpPort);
    }

    // Seed R60 (L1185): "On startup, each Conferencing Node runs an internal capacity check".
    [Fact]
    public async Task Without_a_configured_capacity_the_node_measures_its_own_at_start_and_a_configured_one_wins()
    {
        var cluster = TestSilos.PostgresCluster("capacity");
        await using var measured = await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = "measured", ["Silo:Capacity:AudioCalls"] = null }));
        await using var configured = await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?>
        {
            ["Silo:Name"] = "configured",
            ["Silo:Capacity:AudioCalls"] = "123",
        }));

        // Each as the other silo sees it.
        var published = await PublishedMetadataAsync(configured, measured.Silo.Address);
        var measuredCalls = long.Parse(published[NodeMetadataKeys.CapacityAudioCalls]);
        Assert.InRange(measuredCalls, 1, 1_000_000);
        // Issue 14 item 4: video is measured too (720p decode + encode share), and one ledger holds both at 12 audio calls per HD call (L1179).
        var hdCalls = long.Parse(published[NodeMetadataKeys.MeasuredHdCalls]);
        Assert.InRange(hdCalls, 1, 100_000);
        Assert.True(measuredCalls <= hdCalls * 12, $"{measuredCalls} audio calls admitted on a node measured at {hdCalls} HD calls");
        var configuredMetadata = await PublishedMetadataAsync(measured, configured.Silo.Address);
        Assert.Equal("123", configuredMetadata[NodeMetadataKeys.CapacityAudioCalls]);
        Assert.False(configuredMetadata.ContainsKey(NodeMetadataKeys.MeasuredHdCalls));
    }

    /// <summary>The metadata <paramref name="silo"/> published, as <paramref name="asked"/> knows it (fetched once the silo is in its membership view).</summary>
    private static async Task<IReadOnlyDictionary<string, string>> PublishedMetadataAsync(SiloHost asked, SiloAddress silo)
    {
        var cache = asked.Silo.Services.GetRequiredService<ISiloMetadataCache>();
        await Eventually.TrueAsync(() => cache.GetSiloMetadata(silo).Metadata.Count > 0, $"{asked.Silo.Name} to know {silo}'s metadata");
        return cache.GetSiloMetadata(silo).Metadata.ToDictionary();
    }
}

/// <summary>Grain assemblies built next to the tests (by the solution build) but not referenced by them.</summary>
internal static class TestGrainAssemblies
{
    public static string PathOf(string project)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConferenceCluster.sln")))
            directory = directory.Parent;
        var path = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("ConferenceCluster.sln not found above the tests"),
            "tests", project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build {project} first: {path} is missing");
    }
}
