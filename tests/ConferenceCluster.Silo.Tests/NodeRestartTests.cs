using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace ConferenceCluster.Silo.Tests;

public class NodeRestartTests
{
    // Seed R13 (L1541, L1545): changing a node's system location (or role) disconnects its calls and restarts it.
    [Fact]
    public async Task Moving_a_node_to_another_system_location_restarts_its_silo_there_and_the_process_keeps_running()
    {
        // On PostgreSQL, so the membership table outlives the first incarnation and the next one can read its row.
        var leaves = new LeaveRecorder();
        await using var host = TestSilos.Create(TestSilos.PostgresCluster("restart").With(new Dictionary<string, string?>
        {
            ["Silo:Name"] = "mover",
            ["Silo:Location"] = "London",
            ["Silo:Capacity:AudioCalls"] = "120",
        }), configureSilo: leaves.Install);
        using var stop = new CancellationTokenSource();
        var run = host.RunAsync(stop.Token);
        await host.ServingAsync(run);
        var first = host.Silo;
        var firstAddress = first.Address;

        var repository = new ConfigurationRepository(first.Documents);
        Assert.True((await repository.CreateLocationAsync(new SystemLocation("London"))).Succeeded);
        Assert.True((await repository.CreateLocationAsync(new SystemLocation("Paris"))).Succeeded);
        var record = (await repository.GetNodeAsync("mover"))!;
        var moved = await repository.UpdateNodeAsync(record.Value.Node with { SystemLocation = "Paris" }, record.Version);
        Assert.True(moved.Succeeded, string.Join("; ", moved.Report.Issues.Select(i => i.ToString())));

        await Eventually.TrueAsync(() =>
        {
            try
            {
                return host.Silo.Address != firstAddress;
            }
            catch (ObjectDisposedException)
            {
                return false; // between the two incarnations
            }
        }, "the node to restart", timeoutSeconds: 60);
        await host.ServingAsync(run);
        var second = host.Silo;
        Assert.Equal(SiloStatus.ShuttingDown, await leaves.LeftAsync(firstAddress).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEqual(firstAddress, second.Address);
        await Eventually.TrueAsync(() => second.Membership.GetSiloStatus(firstAddress) == SiloStatus.Dead, "the first incarnation's row to say Dead");
        var metadata = second.Services.GetRequiredService<ISiloMetadataCache>();
        await Eventually.TrueAsync(() => metadata.GetSiloMetadata(second.Address).Metadata.Count > 0, "the new incarnation's metadata");
        Assert.Equal("Paris", metadata.GetSiloMetadata(second.Address).Metadata[NodeMetadataKeys.Location]);
        Assert.False(run.IsCompleted);

        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
