using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>connectivity_lost (ID 19, L15424) from real in-process silos: raised for a killed node, not for one that left, lowered when it is back.</summary>
public sealed class NodeConnectivityAlarmTests
{
    [Fact]
    public async Task A_killed_node_raises_connectivity_lost_a_stopped_one_does_not_and_its_return_lowers_it_L15424()
    {
        NodeSpec[] nodes = [NodeSpec.Transcoding("London01", "London", 4), NodeSpec.Transcoding("London02", "London", 4), NodeSpec.Transcoding("London03", "London", 4)];
        await using var cluster = await ConferencingTestCluster.StartAsync([new SystemLocation("London")], nodes);
        var alarms = cluster.Silos["London01"].Services.GetRequiredService<AlarmRegistry>();
        async Task<IReadOnlyList<ActiveAlarm>> ConnectivityAsync() =>
            (await alarms.ActiveAsync()).Where(a => a.Key == AlarmCatalogue.ConnectivityLost.Key).ToList();

        await cluster.KillAsync("London02");
        await WaitAsync(async () => (await ConnectivityAsync()).Count == 1, "the connectivity alarm");
        var alarm = Assert.Single(await ConnectivityAsync());
        Assert.Equal(("London02", AlarmLevel.Warning), (alarm.Node, alarm.Level));

        await cluster.StopAsync("London03");
        await Task.Delay(500); // the membership change has reached every silo (StopAsync waited for it); give the alarm writes a moment
        Assert.Equal(["London02"], (await ConnectivityAsync()).Select(a => a.Node));

        await cluster.StartNodeAsync(nodes[1]);
        await WaitAsync(async () => (await ConnectivityAsync()).Count == 0, "the connectivity alarm to be lowered");
        Assert.Contains(await alarms.HistoryAsync(), h => h.Alarm.Key == AlarmCatalogue.ConnectivityLost.Key && h.Alarm.Node == "London02");
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(20);
        }
    }
}
