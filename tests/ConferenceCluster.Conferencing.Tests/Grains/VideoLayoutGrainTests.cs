using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Layouts;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The conference grain owns its video layout (issue 14 item 3): the room's View when it starts (L5535), a Host's change
/// while it runs (L7089), persisted with its state; every media node hosting it gets the layout and the whole roster in
/// join order with roles and video (<see cref="IVideoLayoutWiring"/>), a node that stops hosting is told so. A call whose
/// media changes is re-costed (R-QoS-2) before the layouts follow it.
/// </summary>
public class VideoLayoutGrainTests
{
    private const string Conference = "meet.video@example.com";
    private const string AudioRoom = "meet.audio@example.com";

    /// <summary>What every media node was handed last, as the media node keeps it: a newer state replaces an older one, null forgets.</summary>
    private sealed class RecordingLayouts : IVideoLayoutWiring
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<(string Conference, string Node), ConferenceVideoState> _states = [];
        private readonly List<string> _calls = [];

        public Task ApplyAsync(string conference, ConferenceVideoState? state, IReadOnlyCollection<string> nodes)
        {
            lock (_gate)
            {
                foreach (var node in nodes)
                {
                    _calls.Add(conference);
                    if (state is null) _states.Remove((conference, node));
                    else if (state.IsNewerThan(_states.GetValueOrDefault((conference, node)))) _states[(conference, node)] = state;
                }
            }
            return Task.CompletedTask;
        }

        public IReadOnlyDictionary<string, ConferenceVideoState> Of(string conference)
        {
            lock (_gate) return _states.Where(s => s.Key.Conference == conference).ToDictionary(s => s.Key.Node, s => s.Value);
        }

        public int CallsFor(string conference)
        {
            lock (_gate) return _calls.Count(c => c == conference);
        }
    }

    private static string Describe(ConferenceVideoState state) =>
        $"{state.Layout.ToCommand()} {state.MaximumQuality}: " + string.Join(" ", state.Roster.Select(p => p.Id + (p.IsAudioOnly ? "(audio)" : "")));

    /// <summary>Every hosting node has the same state, and no other node has one (but <paramref name="dead"/>, which nobody can tell any more).</summary>
    private static string Everywhere(RecordingLayouts layouts, string conference, string[] nodes, string? dead = null)
    {
        var states = layouts.Of(conference).Where(s => s.Key != dead).ToDictionary();
        Assert.Equal(nodes.Order(), states.Keys.Order());
        var described = states.Values.Select(Describe).Distinct().ToList();
        Assert.Single(described);
        return described[0];
    }

    [Fact]
    public async Task Every_hosting_node_gets_the_layout_and_roster_in_join_order_a_host_change_and_a_call_adding_video_L5535_L7089()
    {
        var layouts = new RecordingLayouts();
        await using var cluster = await ConferencingTestCluster.StartAsync(null, services => services.AddSingleton<IVideoLayoutWiring>(layouts),
            [new SystemLocation("A"), new SystemLocation("B")],
            [NodeSpec.Transcoding("A1", "A", hdCalls: 4), NodeSpec.Transcoding("A2", "A", hdCalls: 3), NodeSpec.Transcoding("B1", "B", hdCalls: 4)],
            room => room with { View = LayoutKind.OnePlusTwentyOne }, Conference);
        var conference = cluster.Conference(Conference);

        Assert.Equal("A1", (await cluster.AdmitAsync("p1", Conference, "A1")).MediaNode);
        Assert.Equal("1:21 Hd: p1", Everywhere(layouts, Conference, ["A1"]));
        Assert.Equal("A1", (await cluster.AdmitAsync("p2", Conference, "A1", CallMedia.Audio)).MediaNode);
        Assert.Equal("B1", (await cluster.AdmitAsync("p3", Conference, "B1")).MediaNode);
        Assert.Equal("1:21 Hd: p1 p2(audio) p3", Everywhere(layouts, Conference, ["A1", "B1"]));
        Assert.Equal(LayoutKind.OnePlusTwentyOne, (await conference.GetStatus()).Layout);

        // A Host's /layout (L7089): every node composes in it from now on.
        Assert.True(await conference.TransformLayout(LayoutKind.OnePlusZero));
        Assert.Equal("1:0 Hd: p1 p2(audio) p3", Everywhere(layouts, Conference, ["A1", "B1"]));
        Assert.Equal(LayoutKind.OnePlusZero, (await conference.GetStatus()).Layout);
        var calls = layouts.CallsFor(Conference);
        Assert.True(await conference.TransformLayout(LayoutKind.OnePlusZero)); // no change, nothing sent
        Assert.Equal(calls, layouts.CallsFor(Conference));

        // The audio caller adds video: it costs an HD call now (R-QoS-2), the difference reserved on A1, and it is a tile.
        var before = await cluster.AvailableAsync("A1");
        Assert.True(await conference.ChangeCallMedia("p2", CallMedia.VideoAt(MaximumCallQuality.Hd, VideoCodec.Vp8)));
        Assert.Equal(MediaCosts.HdCall - MediaCosts.AudioCall, before - await cluster.AvailableAsync("A1"));
        Assert.Equal("1:0 Hd: p1 p2 p3", Everywhere(layouts, Conference, ["A1", "B1"]));
        // And drops it again: an audio indicator in the layouts, but it keeps what it holds (no re-accounting on a downspeed).
        Assert.True(await conference.ChangeCallMedia("p2", CallMedia.Audio));
        Assert.Equal(MediaCosts.HdCall - MediaCosts.AudioCall, before - await cluster.AvailableAsync("A1"));
        Assert.Equal("1:0 Hd: p1 p2(audio) p3", Everywhere(layouts, Conference, ["A1", "B1"]));

        // A node that stops hosting is told so; the others see the roster shrink.
        Assert.True(await conference.Leave("p3"));
        Assert.Equal("1:0 Hd: p1 p2(audio)", Everywhere(layouts, Conference, ["A1"]));
        Assert.False(await conference.ChangeCallMedia("p3", CallMedia.Video));

        // The last one out: no node keeps a state; the next instance starts from the room's View again.
        Assert.True(await conference.Leave("p1"));
        Assert.True(await conference.Leave("p2"));
        Assert.Empty(layouts.Of(Conference));
        Assert.False(await conference.TransformLayout(LayoutKind.FourPlusZero)); // nothing running
        await cluster.AdmitAsync("p4", Conference, "A2");
        Assert.Equal(LayoutKind.OnePlusTwentyOne, (await conference.GetStatus()).Layout);
    }

    [Fact]
    public async Task A_call_that_cannot_get_the_capacity_for_video_stays_as_it_was_R_QoS_2()
    {
        var layouts = new RecordingLayouts();
        await using var cluster = await ConferencingTestCluster.StartAsync(null, services => services.AddSingleton<IVideoLayoutWiring>(layouts),
            [new SystemLocation("A")], [NodeSpec.Transcoding("A1", "A", hdCalls: 2)], null, Conference);
        await cluster.AdmitAsync("p1", Conference, "A1", CallMedia.Audio);
        await cluster.FillAsync("A1");

        Assert.False(await cluster.Conference(Conference).ChangeCallMedia("p1", CallMedia.Video));
        Assert.Equal(CapacityUnits.Zero, await cluster.AvailableAsync("A1"));
        Assert.Equal("1:7 Hd: p1(audio)", Everywhere(layouts, Conference, ["A1"]));
        Assert.True((await cluster.Conference(Conference).GetStatus()).Participants.Single().Media!.AudioOnly);
    }

    [Fact]
    public async Task An_audio_only_conference_has_no_layout_anywhere_R_CAP_3()
    {
        var layouts = new RecordingLayouts();
        await using var cluster = await ConferencingTestCluster.StartAsync(null, services => services.AddSingleton<IVideoLayoutWiring>(layouts),
            [new SystemLocation("A")], [NodeSpec.Transcoding("A1", "A", hdCalls: 2)],
            room => room with { ConferenceCapabilities = ConferenceCapabilities.AudioOnly }, AudioRoom);
        await cluster.AdmitAsync("p1", AudioRoom, "A1");

        Assert.Empty(layouts.Of(AudioRoom));
        Assert.Null((await cluster.Conference(AudioRoom).GetStatus()).Layout);
        Assert.False(await cluster.Conference(AudioRoom).TransformLayout(LayoutKind.OnePlusZero));
    }

    /// <summary>
    /// The silo holding the conference grain dies: the activation that restores it elsewhere (its state on the test
    /// PostgreSQL) has the Host's layout, not the room's View, and its states win over the lost activation's at every node.
    /// </summary>
    [Fact]
    public async Task A_hosts_layout_survives_the_loss_of_the_conferences_silo()
    {
        var layouts = new RecordingLayouts();
        var conferenceName = $"meet.video-{Guid.NewGuid():N}";
        await using var cluster = await ConferencingTestCluster.StartCoreAsync(null, null, services => services.AddSingleton<IVideoLayoutWiring>(layouts),
            PostgresGrainStorage.Configure, [new SystemLocation("A"), new SystemLocation("B")],
            [NodeSpec.Transcoding("A1", "A", hdCalls: 4), NodeSpec.Transcoding("A2", "A", hdCalls: 3), NodeSpec.Transcoding("B1", "B", hdCalls: 4)],
            [conferenceName]);
        var conference = cluster.Conference(conferenceName);
        await cluster.AdmitAsync("p1", conferenceName, "A1");
        await cluster.AdmitAsync("p2", conferenceName, "B1");
        Assert.True(await conference.TransformLayout(LayoutKind.FourPlusZero));
        var lost = layouts.Of(conferenceName).Values.First();

        var victim = await cluster.ConferenceGrainNodeAsync(conferenceName);
        await cluster.KillAsync(victim);
        await ConferencingTestCluster.WaitUntilAsync(() => cluster.Conference(conferenceName).GetStatus().Result.MediaNodes.All(m => m.Node != victim),
            TimeSpan.FromSeconds(30), $"{victim} to be dropped");

        var status = await cluster.Conference(conferenceName).GetStatus();
        Assert.Equal(LayoutKind.FourPlusZero, status.Layout);
        var survivors = status.MediaNodes.Select(m => m.Node).ToArray();
        Assert.NotEmpty(survivors);
        Assert.Equal($"4:0 Hd: {string.Join(" ", status.Participants.Select(p => p.ParticipantId).Order())}", Everywhere(layouts, conferenceName, survivors, dead: victim));
        Assert.All(layouts.Of(conferenceName).Where(s => s.Key != victim).Select(s => s.Value), state => Assert.True(state.IsNewerThan(lost), "the restored activation's state did not replace the lost one's"));
    }
}
