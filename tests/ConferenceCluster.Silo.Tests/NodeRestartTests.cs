using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Tests;

public class NodeRestartTests
{
    // Seed R13 (L1541, L1545): changing a node's system location (or role) disconnects its calls and restarts it.
    [Fact]
    public async Task Moving_a_node_to_another_system_location_restarts_its_silo_there_and_the_process_keeps_running()
    {
        var store = new InMemoryClusterStore("restart");
        await using var host = TestSilos.Create(store, new Dictionary<string, string?>
        {
            ["Silo:Name"] = "mover",
            ["Silo:Location"] = "London",
            ["Silo:Capacity:AudioCalls"] = "120",
        });
        using var stop = new CancellationTokenSource();
        var run = host.RunAsync(stop.Token);
        var local = host.Services.GetRequiredService<LocalSilo>();
        await Eventually.TrueAsync(() => local.Status == SiloStatus.Active, "the silo to become active");
        var first = host.Silo;

        var repository = new ConfigurationRepository(store);
        Assert.True((await repository.CreateLocationAsync(new SystemLocation("London"))).Succeeded);
        Assert.True((await repository.CreateLocationAsync(new SystemLocation("Paris"))).Succeeded);
        var record = (await repository.GetNodeAsync("mover"))!;
        var moved = await repository.UpdateNodeAsync(record.Value.Node with { SystemLocation = "Paris" }, record.Version);
        Assert.True(moved.Succeeded, string.Join("; ", moved.Report.Issues.Select(i => i.ToString())));

        await Eventually.TrueAsync(() => local.Current != first && local.Status == SiloStatus.Active, "the node to restart");
        Assert.Equal(SiloTermination.Graceful, await first.Terminated);
        var table = await store.Membership.ReadAllAsync();
        Assert.Equal(SiloStatus.Dead, table.Find(first.Address)!.Entry.Status);
        Assert.Equal("Paris", table.Find(host.Silo.Address)!.Entry.GetMetadata(SiloMetadataKeys.Location));
        Assert.False(run.IsCompleted);

        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
