using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Tests;

public class SiloLifecycleTests
{
    [Fact]
    public async Task A_stop_request_leaves_the_cluster_gracefully_and_exits_zero()
    {
        var store = new InMemoryClusterStore("graceful");
        await using var host = TestSilos.Create(store, new Dictionary<string, string?> { ["Silo:Name"] = "leaver" });
        using var stop = new CancellationTokenSource();
        var run = host.RunAsync(stop.Token);
        var local = host.Services.GetRequiredService<LocalSilo>();
        await Eventually.TrueAsync(() => local.Status == SiloStatus.Active, "the silo to become active");
        var address = host.Silo.Address;

        stop.Cancel();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        Assert.Equal(SiloTermination.Graceful, await host.Silo.Terminated);
        var table = await store.Membership.ReadAllAsync();
        Assert.Equal(SiloStatus.Dead, table.Find(address)!.Entry.Status);
    }

    [Fact]
    public async Task A_silo_declared_dead_by_the_cluster_makes_the_host_exit_non_zero()
    {
        var store = new InMemoryClusterStore("declared-dead");
        await using var host = TestSilos.Create(store, configureSilo: silo => silo.ConfigureMembership(m => m.TableRefreshTimeout = TimeSpan.FromMilliseconds(100)));
        var run = host.RunAsync();
        var local = host.Services.GetRequiredService<LocalSilo>();
        await Eventually.TrueAsync(() => local.Status == SiloStatus.Active, "the silo to become active");

        // What the other silos' votes would write: this silo's row, Dead.
        var table = await store.Membership.ReadAllAsync();
        var row = table.Find(host.Silo.Address)!;
        Assert.True(await store.Membership.UpdateRowAsync(row.Entry with { Status = SiloStatus.Dead }, row.ETag, table.Version.Next()));
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(SiloHost.ExitSiloFailed, exitCode);
        Assert.Equal(SiloTermination.DeclaredDead, await host.Silo.Terminated);
    }

    [Fact]
    public async Task Grains_of_the_configured_grain_assemblies_are_hosted()
    {
        await using var host = await TestSilos.StartAsync(new InMemoryClusterStore("grains"), new Dictionary<string, string?>
        {
            ["Silo:GrainAssemblies:0"] = typeof(EchoGrain).Assembly.Location,
        });

        var echo = await host.Silo.GrainFactory.GetGrain<IEchoGrain>("k").Echo("hello");

        Assert.Equal("k:hello", echo);
    }

    [Fact]
    public async Task The_membership_row_carries_location_role_and_the_bound_http_port()
    {
        var store = new InMemoryClusterStore("metadata");
        await using var host = await TestSilos.StartAsync(store, new Dictionary<string, string?>
        {
            ["Silo:Location"] = "Paris",
            ["Silo:Role"] = "Proxying",
        });

        var entry = (await store.Membership.ReadAllAsync()).Find(host.Silo.Address)!.Entry;

        Assert.Equal("Paris", entry.GetMetadata(SiloMetadataKeys.Location));
        Assert.Equal("proxying", entry.GetMetadata(SiloMetadataKeys.Role));
        Assert.Equal(host.HttpPort.ToString(), entry.GetMetadata(SiloMetadataKeys.HttpPort));
        Assert.NotEqual(0, host.HttpPort);
    }
}

public interface IEchoGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult($"{GetPrimaryKeyString()}:{text}");

    // Seed R60 (L1185): "On startup, each Conferencing Node runs an internal capacity check".
    [Fact]
    public async Task Without_a_configured_capacity_the_node_measures_its_own_at_start_and_a_configured_one_wins()
    {
        var store = new InMemoryClusterStore("capacity");
        await using var measured = await TestSilos.StartAsync(store, new Dictionary<string, string?> { ["Silo:Name"] = "measured" });
        await using var configured = await TestSilos.StartAsync(store, new Dictionary<string, string?>
        {
            ["Silo:Name"] = "configured",
            ["Silo:Capacity:AudioCalls"] = "123",
        });

        var table = await store.Membership.ReadAllAsync();
        var measuredCalls = long.Parse(table.Find(measured.Silo.Address)!.Entry.GetMetadata("capacity-audio-calls")!);
        Assert.InRange(measuredCalls, 1, 1_000_000);
        Assert.Equal("123", table.Find(configured.Silo.Address)!.Entry.GetMetadata("capacity-audio-calls"));
    }
}
