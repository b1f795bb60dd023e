using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>The allocation rules, capacity accounting, maintenance, node failure and history, through the grains.</summary>
public class GrainAllocationTests
{
    private const string Conference = "meet.lab@example.com";

    private static SystemLocation Location(string name, string? transcoding = null) => new(name) { TranscodingLocation = transcoding };

    [Fact]
    public async Task S7_call_costs_and_the_backplane_reservation_land_on_the_node_ledgers_L1175_to_L1200()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Lab"), Location("Lab Edge", transcoding: "Lab")],
            [NodeSpec.Transcoding("Lab01", "Lab", hdCalls: 10), NodeSpec.Transcoding("Lab02", "Lab", hdCalls: 9), NodeSpec.Proxying("LabEdge01", "Lab Edge")],
            Conference);
        var expected = 0L;
        async Task Expect(string participant, string signalling, CallMedia media, long transcodingUnits, string because)
        {
            Assert.Equal("Lab01", (await cluster.AdmitAsync(participant, Conference, signalling, media)).MediaNode);
            expected += transcodingUnits;
            Assert.True(expected == (await cluster.Node("Lab01").GetStatus()).Load.Value, because);
        }

        // S7.5: the first call on a node also takes the backplane reservation at Maximum call quality HD: 1 HD (L1197, Q7).
        await Expect("audio", "Lab01", CallMedia.Audio, 2 + 24, "audio-only = 1/12 HD (L1179) + HD backplane reservation");
        await Expect("hd", "Lab02", CallMedia.Video, 24, "HD = 1 HD (L1175)");
        await Expect("vp9", "Lab01", CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp9), 30, "VP9 720p = 1.25 HD (L1181)");
        await Expect("present", "Lab01", new CallMedia(SendsPresentation: true), 36, "WebRTC sending presentation = +0.5 HD (L1181)");
        await Expect("watch", "Lab01", new CallMedia(ReceivesFullMotionPresentation: true), 48, "full-motion presentation receive = +1 HD (L1181)");
        await Expect("fullhd", "Lab01", CallMedia.VideoAt(MaximumCallQuality.FullHd), 24, "capped at the HD Maximum call quality (L1183)");
        // S7.4: a proxied call costs the transcoding node what a direct call costs, and the proxy 3/12 HD (video) or 1/12 (audio).
        await Expect("proxied-video", "LabEdge01", CallMedia.Video, 24, "the TCN pays the same when proxied (L1161)");
        await Expect("proxied-audio", "LabEdge01", CallMedia.Audio, 2, "audio through a proxy");
        Assert.Equal(new CapacityUnits(6 + 2), (await cluster.Node("LabEdge01").GetStatus()).Load);
        Assert.Equal(CapacityUnits.Zero, (await cluster.Node("Lab02").GetStatus()).Load);

        // What the conference says it holds equals what the ledgers hold.
        var status = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(new CapacityUnits(expected), Assert.Single(status.MediaNodes).Held);

        // Everyone leaves: every unit comes back, reservation included (Q7).
        foreach (var p in status.Participants)
            await cluster.GrainsOn(p.SignalingNode).GetGrain<IParticipantGrain>(p.ParticipantId).Hangup();
        Assert.Equal(CapacityUnits.Zero, (await cluster.Node("Lab01").GetStatus()).Load);
        Assert.Equal(CapacityUnits.Zero, (await cluster.Node("LabEdge01").GetStatus()).Load);
    }

    [Fact]
    public async Task An_audio_only_room_charges_every_caller_and_the_reservation_as_audio_L1200_L7453()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Lab")], [NodeSpec.Transcoding("Lab01", "Lab", hdCalls: 2), NodeSpec.Transcoding("Lab02", "Lab", hdCalls: 1)]);
        await cluster.CreateConferenceAsync("audio-room", r => r with { ConferenceCapabilities = ConferenceCapabilities.AudioOnly });
        await cluster.RefreshConfigurationAsync();

        await cluster.AdmitAsync("video-caller", "audio-room", "Lab01", CallMedia.Video);
        Assert.Equal(new CapacityUnits(2 + 2), (await cluster.Node("Lab01").GetStatus()).Load);
    }

    [Fact]
    public async Task Three_node_limit_rejects_with_capacity_exceeded_while_a_fourth_node_is_idle_L716_L2192()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Pool")],
            Enumerable.Range(1, 4).Select(i => NodeSpec.Transcoding($"Pool0{i}", "Pool", hdCalls: 2)),
            Conference);

        // Each node fits one HD call plus the conference's HD backplane reservation, so every call needs a new node.
        for (var i = 1; i <= 3; i++)
            Assert.Equal($"Pool0{i}", (await cluster.AdmitAsync($"caller{i}", Conference, "Pool04")).MediaNode);

        var fourth = await cluster.DialAsync("caller4", Conference, "Pool04");
        Assert.Equal((false, JoinRejectionReason.CapacityExceeded, "capacity exceeded"), (fourth.Accepted, fourth.Rejection!.Value, fourth.Message!));
        Assert.Equal(CapacityUnits.Zero, (await cluster.Node("Pool04").GetStatus()).Load);

        // Another conference may still use the idle node: the limit is per conference instance (R30).
        await cluster.CreateConferenceAsync("other");
        await cluster.RefreshConfigurationAsync();
        Assert.Equal("Pool04", (await cluster.AdmitAsync("other1", "other", "Pool01")).MediaNode);

        // The location grain sums its nodes: 8 HD in all, every unit taken (a call and a reservation on each node).
        var location = await cluster.AnyGrains.GetGrain<ILocationGrain>("Pool").GetStatus();
        Assert.Equal((4, CapacityUnits.FromHdCalls(8), CapacityUnits.Zero), (location.Capacity.TranscodingNodes, location.Capacity.Total, location.Capacity.Available));
        Assert.Equal(BurstingThresholdState.ThresholdReached, location.Bursting);
    }

    [Fact]
    public async Task Maintenance_mode_set_in_configuration_reaches_every_silo_and_stops_new_calls_on_that_node_L11666()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Lab")], [NodeSpec.Transcoding("Lab01", "Lab", hdCalls: 10), NodeSpec.Transcoding("Lab02", "Lab", hdCalls: 2)], Conference);
        // Lab01 registered itself from its metadata; the operator now takes the record over and sets maintenance mode.
        var record = await cluster.Repository.GetNodeAsync("Lab01");
        Assert.Equal(NodeOrigin.SelfRegistered, record!.Value.Origin);
        var saved = await cluster.Repository.UpdateNodeAsync(record.Value.Node with { MaintenanceMode = true }, record.Version);
        Assert.True(saved.Succeeded);

        // No restart, no explicit refresh: every silo's view polls the change counter and picks it up.
        var counter = await cluster.Documents.GetChangeCounterAsync();
        await ConferencingTestCluster.WaitUntilAsync(
            () => cluster.Live.All(s => s.Services.GetRequiredService<ConfigurationView>().Current.ChangeCounter >= counter),
            TimeSpan.FromSeconds(30), "every silo's configuration view to reach the change");

        var onIt = await cluster.DialAsync("a", Conference, "Lab01");
        Assert.Equal((JoinRejectionReason.SignalingNodeInMaintenance, "System in maintenance mode"), (onIt.Rejection!.Value, onIt.Message!));
        // Lab01 has far more room, but takes no new media: Lab02 does.
        Assert.Equal("Lab02", (await cluster.AdmitAsync("b", Conference, "Lab02")).MediaNode);
        Assert.Equal(100, (await cluster.Node("Lab01").GetStatus()).LoadPercent);
        // The silo does not overwrite an operator's record when it registers again.
        var again = await cluster.Repository.RegisterSelfAsync(record.Value.Node);
        Assert.Equal((NodeOrigin.Operator, true), (again.Origin, again.Node.MaintenanceMode));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_the_intermediary_node_leaves_or_dies_its_calls_drop_and_the_next_oldest_node_is_elected_R85_L874_Q6(bool kill)
    {
        // Pexip's rule (R85): no call is moved. (Moving them is ours, on by default: MoveCallsOffFailedNodes, tested below.)
        await using var cluster = await ConferencingTestCluster.StartAsync(o => o.MoveCallsOffFailedNodes = false, null,
            [Location("A"), Location("B")],
            [
                NodeSpec.Transcoding("A1", "A", hdCalls: 3), NodeSpec.Transcoding("A2", "A", hdCalls: 2), NodeSpec.Transcoding("A3", "A", hdCalls: 2),
                NodeSpec.Transcoding("B1", "B", hdCalls: 5),
            ],
            null, Conference);
        Assert.Equal("A1", (await cluster.AdmitAsync("p1", Conference, "A3")).MediaNode); // most available (L2261)
        Assert.Equal("A1", (await cluster.AdmitAsync("p2", Conference, "A3")).MediaNode); // hosts, has room (L2188)
        Assert.Equal("A2", (await cluster.AdmitAsync("p3", Conference, "A2")).MediaNode); // A1 full; A2/A3 tie → name
        Assert.Equal("B1", (await cluster.AdmitAsync("p4", Conference, "B1")).MediaNode);
        var before = await cluster.Conference(Conference).GetStatus();
        Assert.Equal("A1", before.Intermediaries["A"]);
        Assert.Equal(
            new HashSet<(BackplaneKind, string, string)> { (BackplaneKind.Local, "A1", "A2"), (BackplaneKind.Geo, "A1", "B1") },
            GrainWorkedScenarioTests.Backplanes(before));

        if (kill) await cluster.KillAsync("A1");
        else await cluster.StopAsync("A1");

        // The conference grain may itself have lived on A1: it comes back elsewhere from its persisted state.
        var after = await cluster.Conference(Conference).GetStatus();
        Assert.Equal(["p3", "p4"], after.Participants.Select(p => p.ParticipantId).Order().ToList());
        Assert.Equal("A2", after.Intermediaries["A"]);
        Assert.Equal(new HashSet<(BackplaneKind, string, string)> { (BackplaneKind.Geo, "A2", "B1") }, GrainWorkedScenarioTests.Backplanes(after));

        // p1's call leg (on A3) is told why (no live failover, R85); a history record keeps the reason.
        var reason = "Conferencing Node A1 failed";
        await ConferencingTestCluster.WaitUntilAsync(() => cluster.GrainsOn("A3").GetGrain<IParticipantGrain>("p1").GetStatus().Result.State == CallLegState.Disconnected,
            TimeSpan.FromSeconds(30), "p1 to be told");
        Assert.Equal(reason, (await cluster.GrainsOn("A3").GetGrain<IParticipantGrain>("p1").GetStatus()).DisconnectReason);
        var history = await cluster.Live.First().Services.GetRequiredService<HistoryWriter>().ParticipantsAsync();
        Assert.Equal(["p1", "p2"], history.Where(h => h.DisconnectReason == reason).Select(h => h.ParticipantId).Order().ToList());

        // A2 and B1 hold exactly what the conference says: nothing leaked, nothing lost in the takeover.
        foreach (var node in after.MediaNodes)
            Assert.Equal(node.Held, (await cluster.Node(node.Node).GetStatus()).Load);
        // Further calls go on: A3 joins the conference as A's second node.
        Assert.Equal("A3", (await cluster.AdmitAsync("p5", Conference, "A2")).MediaNode);
    }

    [Fact]
    public async Task Admission_unknown_room_participant_limit_and_a_repeated_join_that_reserves_nothing_twice_L5550()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Lab")], [NodeSpec.Transcoding("Lab01", "Lab", hdCalls: 10), NodeSpec.Transcoding("Lab02", "Lab", hdCalls: 10)]);
        await cluster.CreateConferenceAsync("small", r => r with { ParticipantLimit = 2 });
        await cluster.RefreshConfigurationAsync();

        var nowhere = await cluster.DialAsync("x", "no-such-room", "Lab01");
        Assert.Equal(JoinRejectionReason.ConferenceNotFound, nowhere.Rejection);

        var first = await cluster.AdmitAsync("a", "small", "Lab01");
        var load = (await cluster.Node(first.MediaNode!).GetStatus()).Load;
        // The same call leg asking again (a retried request) gets its placement back and costs nothing more.
        var again = await cluster.Conference("small").Join(new JoinRequest("a", "Lab01", CallMedia.Video));
        Assert.Equal((true, first.MediaNode), (again.Accepted, again.MediaNode));
        Assert.Equal(load, (await cluster.Node(first.MediaNode!).GetStatus()).Load);

        await cluster.AdmitAsync("b", "small", "Lab02");
        var third = await cluster.DialAsync("c", "small", "Lab02");
        Assert.Equal((false, JoinRejectionReason.ParticipantLimitReached), (third.Accepted, third.Rejection!.Value));
    }

    [Fact]
    public async Task A_conference_whose_own_silo_dies_comes_back_elsewhere_with_its_participants_and_exact_ledgers()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Pool")], Enumerable.Range(1, 4).Select(i => NodeSpec.Transcoding($"Pool0{i}", "Pool", hdCalls: 2)), Conference);
        // Caller i signals on Pool0i and (ties go by name, each node fits one call + reservation) gets its media there too.
        for (var i = 1; i <= 3; i++)
            Assert.Equal($"Pool0{i}", (await cluster.AdmitAsync($"caller{i}", Conference, $"Pool0{i}")).MediaNode);

        var hostNode = await cluster.ConferenceGrainNodeAsync(Conference);
        await cluster.KillAsync(hostNode);

        // A new activation elsewhere restores the instance: only the calls that used the dead node are gone.
        var status = await cluster.Conference(Conference).GetStatus();
        var expected = Enumerable.Range(1, 3).Where(i => $"Pool0{i}" != hostNode).Select(i => $"caller{i}").ToList();
        Assert.Equal(expected, status.Participants.Select(p => p.ParticipantId).Order().ToList());
        Assert.NotEqual(hostNode, await cluster.ConferenceGrainNodeAsync(Conference));
        foreach (var silo in cluster.Live)
        {
            var held = status.MediaNodes.SingleOrDefault(m => m.Node == silo.Name)?.Held ?? CapacityUnits.Zero;
            Assert.Equal(held, (await cluster.Node(silo.Name).GetStatus()).Load);
        }
        // It still knows which nodes host it: a new caller fills the conference up to three nodes, no further.
        var hosting = status.MediaNodes.Count;
        var results = new List<JoinResult>();
        for (var i = 0; i < 3; i++) results.Add(await cluster.DialAsync($"late{i}", Conference, cluster.Live.First().Name));
        Assert.Equal(3 - hosting, results.Count(r => r.Accepted));
        Assert.True((await cluster.Conference(Conference).GetStatus()).MediaNodes.Count <= 3);
    }

    [Fact]
    public async Task History_records_each_call_and_the_conference_with_durations_reasons_and_nodes_used()
    {
        await using var cluster = await ConferencingTestCluster.StartAsync(
            [Location("Lab")], [NodeSpec.Transcoding("Lab01", "Lab", hdCalls: 2), NodeSpec.Transcoding("Lab02", "Lab", hdCalls: 2)], Conference);
        await cluster.AdmitAsync("alice", Conference, "Lab01");
        await cluster.AdmitAsync("bob", Conference, "Lab02");
        Assert.True(await cluster.Conference(Conference).Disconnect("bob", "Disconnected by an administrator"));
        await cluster.GrainsOn("Lab01").GetGrain<IParticipantGrain>("alice").Hangup();

        var history = cluster.Live.First().Services.GetRequiredService<HistoryWriter>();
        var calls = (await history.ParticipantsAsync()).OrderBy(h => h.ParticipantId).ToList();
        Assert.Equal(
            [("alice", "Lab01", "Participant disconnected"), ("bob", "Lab02", "Disconnected by an administrator")],
            calls.Select(c => (c.ParticipantId, c.SignalingNode, c.DisconnectReason)).ToList());
        Assert.All(calls, c => Assert.True(c.EndTime >= c.StartTime && c.DurationSeconds >= 0));
        var conference = Assert.Single(await history.ConferencesAsync());
        Assert.Equal((Conference, 2, "Last participant left"), (conference.Conference, conference.Participants, conference.EndReason));
        Assert.Equal(calls.Select(c => c.SignalingNode).Concat(calls.Select(c => c.MediaNode)).Distinct().Order().ToList(), conference.NodesUsed);
        // The conference ended: it holds nothing anywhere and keeps no instance record.
        Assert.Null(await cluster.Documents.GetAsync("conference_instance", Conference));
        Assert.Equal(CapacityUnits.Zero, (await cluster.Node("Lab01").GetStatus()).Load + (await cluster.Node("Lab02").GetStatus()).Load);
    }
}
