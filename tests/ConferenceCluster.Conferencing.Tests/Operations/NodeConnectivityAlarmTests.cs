using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// connectivity_lost (ID 19, L15424) from real in-process silos: a node that leaves gracefully raises nothing. A node
/// declared dead after missed probes raises it and its return lowers it: that needs a real crash, so it is tested with
/// silo processes and SIGKILL (Integration.Tests, <c>SiloProcessFailoverTests</c>).
/// </summary>
public sealed class NodeConnectivityAlarmTests
{
    [Fact]
    public async Task A_node_that_leaves_gracefully_raises_no_connectivity_alarm_L15424()
    {
        NodeSpec[] nodes = [NodeSpec.Transcoding("London01", "London", 4), NodeSpec.Transcoding("London02", "London", 4)];
        await using var cluster = await ConferencingTestCluster.StartAsync([new SystemLocation("London")], nodes);
        var alarms = cluster.Services("London01").GetRequiredService<AlarmRegistry>();

        await cluster.StopAsync("London02");
        await cluster.StartNodeAsync(nodes[1]);
        await cluster.StopAsync("London02");
        // The stop's membership changes have reached every silo (StopAsync waited for them); the alarm writes follow them.
        await Task.Delay(500);
        Assert.DoesNotContain(await alarms.ActiveAsync(), a => a.Key == AlarmCatalogue.ConnectivityLost.Key);
        Assert.DoesNotContain(await alarms.HistoryAsync(), h => h.Alarm.Key == AlarmCatalogue.ConnectivityLost.Key);
    }
}
