using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// Issue 6, item 2, through the grains: when a media node dies, a call whose signalling node survives is placed again by
/// the join rules and its call leg is told where its media went (the SIP gateway then re-INVITEs the endpoint); a call
/// signalled by the dead node, or one that finds no room, ends with the node-failure reason as before (R85).
/// </summary>
public class FailoverGrainTests
{
    private const string Conference = "meet.failover@example.com";

    [Fact]
    public async Task Calls_signalled_by_survivors_move_to_a_node_chosen_by_the_join_rules_the_rest_end_with_the_reason()
    {
        var legs = new RecordingCallLegObserver();
        await using var cluster = await ConferencingTestCluster.StartAsync(null, services => services.AddSingleton<ICallLegObserver>(legs),
            [new SystemLocation("A")],
            [NodeSpec.Transcoding("A1", "A", hdCalls: 4), NodeSpec.Transcoding("A2", "A", hdCalls: 3), NodeSpec.Transcoding("A3", "A", hdCalls: 2)],
            null, Conference);
        // A1 has the most room (R21): three calls and its reservation fill it. "lost" is signalled by A1 itself.
        Assert.Equal("A1", (await cluster.AdmitAsync("moves1", Conference, "A2")).MediaNode);
        Assert.Equal("A1", (await cluster.AdmitAsync("moves2", Conference, "A3")).MediaNode);
        Assert.Equal("A1", (await cluster.AdmitAsync("lost", Conference, "A1")).MediaNode);
        Assert.Equal("A2", (await cluster.AdmitAsync("stays", Conference, "A2")).MediaNode);

        await cluster.KillAsync("A1");
        await ConferencingTestCluster.WaitUntilAsync(() => legs.Of("moves1", "moved").Any() && legs.Of("moves2", "moved").Any(),
            TimeSpan.FromSeconds(30), "both calls signalled by survivors to be told they moved");

        // A2 hosts and has room for one more (R21.1, L2188); the next goes to A3, the only other node of A.
        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(["moves1", "moves2", "stays"], status.Participants.Select(p => p.ParticipantId).Order().ToList());
        var moved = status.Participants.Where(p => p.ParticipantId.StartsWith("moves", StringComparison.Ordinal)).Select(p => p.MediaNode).Order().ToList();
        Assert.Equal(["A2", "A3"], moved);
        foreach (var id in new[] { "moves1", "moves2" })
        {
            var told = (JoinResult)legs.Of(id, "moved").Single().Detail!;
            Assert.Equal(status.Participants.Single(p => p.ParticipantId == id).MediaNode, told.MediaNode);
            var signalling = id == "moves1" ? "A2" : "A3";
            Assert.Equal((CallLegState.Connected, told.MediaNode), await cluster.GrainsOn(signalling).GetGrain<IParticipantGrain>(id).GetStatus()
                .ContinueWith(t => (t.Result.State, t.Result.MediaNode)));
            Assert.Empty(legs.Of(id, "disconnected"));
        }
        // The ledgers agree with the conference, and the moved calls are still one call each in the history.
        foreach (var node in status.MediaNodes)
            Assert.Equal(node.Held, (await cluster.Node(node.Node).GetStatus()).Load);
        var history = await cluster.Live.First().Services.GetRequiredService<HistoryWriter>().ParticipantsAsync();
        Assert.Equal(["lost"], history.Select(h => h.ParticipantId).ToList());
        Assert.Equal("Conferencing Node A1 failed", history.Single().DisconnectReason);
    }

    [Fact]
    public async Task A_call_with_no_room_left_after_the_failure_ends_with_the_node_failure_reason_R85()
    {
        var legs = new RecordingCallLegObserver();
        await using var cluster = await ConferencingTestCluster.StartAsync(null, services => services.AddSingleton<ICallLegObserver>(legs),
            [new SystemLocation("A")],
            [NodeSpec.Transcoding("A1", "A", hdCalls: 3), NodeSpec.Transcoding("A2", "A", hdCalls: 2)],
            null, Conference);
        Assert.Equal("A1", (await cluster.AdmitAsync("p1", Conference, "A2")).MediaNode);
        await cluster.FillAsync("A1");
        Assert.Equal("A2", (await cluster.AdmitAsync("p2", Conference, "A2")).MediaNode);
        await cluster.FillAsync("A2");

        await cluster.KillAsync("A1");
        await ConferencingTestCluster.WaitUntilAsync(() => legs.Of("p1", "disconnected").Any(), TimeSpan.FromSeconds(30), "p1 to be told");
        Assert.Equal("Conferencing Node A1 failed", legs.Of("p1", "disconnected").Single().Detail);
        Assert.Empty(legs.Of("p1", "moved"));
        Assert.Equal(["p2"], (await cluster.Conference(Conference).GetStatus()).Participants.Select(p => p.ParticipantId).ToList());
    }
}
