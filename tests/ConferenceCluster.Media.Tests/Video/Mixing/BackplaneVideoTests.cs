using System.Net;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Relay;
using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Workers;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Video.Mixing;

/// <summary>
/// Backplane video between media engines in this process, each on its own ports of 127.0.0.1, as
/// BackplaneNetworkTests does for audio: every node gets every other node's participants exactly once (split horizon
/// on geo links, seed L2168/L2226's star and mesh), composes its own viewers' pictures, and a proxying edge's relay
/// carries video like audio. No timing is asserted: pictures are awaited, then checked.
/// </summary>
public sealed class BackplaneVideoTests
{
    private sealed class Node : IAsyncDisposable
    {
        public required MediaEngine Media { get; init; }
        public required VideoEngine Video { get; init; }
        public required VideoConference Conference { get; init; }
        public required FixedLayoutPolicy Policy { get; init; }

        public static async Task<Node> StartAsync(string name, int portBase, TimeSpan? remoteIdle = null)
        {
            var media = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(portBase, portBase + 99) });
            var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1, RemoteSourceIdleTimeout = remoteIdle ?? TimeSpan.FromSeconds(30) });
            var policy = new FixedLayoutPolicy();
            VideoConference conference = await video.CreateConferenceAsync("conference@" + name, policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
            return new Node { Media = media, Video = video, Conference = conference, Policy = policy };
        }

        public async ValueTask DisposeAsync()
        {
            await Video.DisposeAsync();
            await Media.DisposeAsync();
        }
    }

    /// <summary>Opens both ends of a backplane the way the wiring does: first end blind, second pointed at it, then the first at the second.</summary>
    private static async Task<(BackplaneVideoLeg, BackplaneVideoLeg)> LinkAsync(Node a, Node b, MixRole role)
    {
        BackplaneVideoLeg first = await a.Conference.AddBackplaneAsync(role);
        BackplaneVideoLeg second = await b.Conference.AddBackplaneAsync(role, new IPEndPoint(IPAddress.Loopback, first.LocalRtpPort));
        await first.SetRemoteAsync(new IPEndPoint(IPAddress.Loopback, second.LocalRtpPort));
        return (first, second);
    }

    [Fact]
    public async Task Three_nodes_in_two_locations_every_viewer_sees_the_two_others_and_each_arrives_once()
    {
        // A1 is location A's intermediary with A2 on a local backplane; B1 is location B's, joined to A1 by a geo backplane.
        await using Node a1 = await Node.StartAsync("A1", 39000), a2 = await Node.StartAsync("A2", 39100), b1 = await Node.StartAsync("B1", 39200);
        var (a1ToA2, a2ToA1) = await LinkAsync(a1, a2, MixRole.LocalBackplane);
        var (a1ToB1, b1ToA1) = await LinkAsync(a1, b1, MixRole.GeoBackplane);

        using var red = new VideoTestEndpoint("red", TestPictures.Colours[0]);     // on A2
        using var green = new VideoTestEndpoint("green", TestPictures.Colours[1]); // on A1
        using var blue = new VideoTestEndpoint("blue", TestPictures.Colours[2]);   // on B1
        VideoPictureLayout[] pictures =
        [
            FixedLayoutPolicy.Columns(["green", "blue"], "red"),
            FixedLayoutPolicy.Columns(["blue", "red"], "green"),
            FixedLayoutPolicy.Columns(["red", "green"], "blue"),
        ];
        foreach (Node node in new[] { a1, a2, b1 })
        {
            await node.Conference.InvokeAsync(() => node.Policy.Set(pictures, mainSources: []));
        }

        await VideoTestRun.ConnectAsync(a2.Conference, red);
        await VideoTestRun.ConnectAsync(a1.Conference, green);
        await VideoTestRun.ConnectAsync(b1.Conference, blue);

        bool seen = VideoTestRun.Run([red, green, blue], 450, _ =>
            VideoTestRun.Shows(red, green.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(red, blue.Colour, 0.5, 0, 0.5, 1) &&
            VideoTestRun.Shows(green, blue.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(green, red.Colour, 0.5, 0, 0.5, 1) &&
            VideoTestRun.Shows(blue, red.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(blue, green.Colour, 0.5, 0, 0.5, 1));
        Assert.True(seen, string.Join("; ", new[] { red, green, blue }.Select(p => $"{p.Name} sees {VideoTestRun.Sample(p, 0, 0, 0.5, 1)} | {VideoTestRun.Sample(p, 0.5, 0, 0.5, 1)}")));

        // Who crossed which backplane: each node hears about each remote participant over exactly one of its backplanes.
        Assert.Equal(["blue", "green"], (await a2ToA1.GetStatisticsAsync()).Participants);   // blue forwarded by A1
        Assert.Equal(["red"], (await a1ToA2.GetStatisticsAsync()).Participants);
        Assert.Equal(["blue"], (await a1ToB1.GetStatisticsAsync()).Participants);
        Assert.Equal(["green", "red"], (await b1ToA1.GetStatisticsAsync()).Participants);    // red forwarded by A1
        foreach (BackplaneVideoLeg leg in new[] { a1ToA2, a2ToA1, a1ToB1, b1ToA1 })
        {
            BackplaneVideoStatistics statistics = await leg.GetStatisticsAsync();
            Assert.Equal(0, statistics.StreamsRefused);
            Assert.True(statistics.FramesDecoded > 0, statistics.ToString());
        }
    }

    [Fact]
    public async Task A_full_mesh_of_three_locations_delivers_each_participant_once_split_horizon_L2226()
    {
        await using Node a = await Node.StartAsync("A", 39300), b = await Node.StartAsync("B", 39400), c = await Node.StartAsync("C", 39500);
        var (ab, ba) = await LinkAsync(a, b, MixRole.GeoBackplane);
        var (bc, cb) = await LinkAsync(b, c, MixRole.GeoBackplane);
        var (ac, ca) = await LinkAsync(a, c, MixRole.GeoBackplane);
        using var onA = new VideoTestEndpoint("onA", TestPictures.Colours[3]);
        using var onB = new VideoTestEndpoint("onB", TestPictures.Colours[4]);
        using var onC = new VideoTestEndpoint("onC", TestPictures.Colours[5]);
        VideoPictureLayout[] pictures =
        [
            FixedLayoutPolicy.Columns(["onB", "onC"], "onA"),
            FixedLayoutPolicy.Columns(["onC", "onA"], "onB"),
            FixedLayoutPolicy.Columns(["onA", "onB"], "onC"),
        ];
        foreach (Node node in new[] { a, b, c })
        {
            await node.Conference.InvokeAsync(() => node.Policy.Set(pictures, mainSources: []));
        }

        await VideoTestRun.ConnectAsync(a.Conference, onA);
        await VideoTestRun.ConnectAsync(b.Conference, onB);
        await VideoTestRun.ConnectAsync(c.Conference, onC);
        Assert.True(VideoTestRun.Run([onA, onB, onC], 450, _ =>
            VideoTestRun.Shows(onA, onB.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(onA, onC.Colour, 0.5, 0, 0.5, 1) &&
            VideoTestRun.Shows(onB, onC.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(onB, onA.Colour, 0.5, 0, 0.5, 1) &&
            VideoTestRun.Shows(onC, onA.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(onC, onB.Colour, 0.5, 0, 0.5, 1)));

        // A geo backplane never forwards what came over another geo backplane: each carries its own node's participant only.
        Assert.Equal(["onB"], (await ab.GetStatisticsAsync()).Participants);
        Assert.Equal(["onC"], (await ac.GetStatisticsAsync()).Participants);
        Assert.Equal(["onA"], (await ba.GetStatisticsAsync()).Participants);
        Assert.Equal(["onC"], (await bc.GetStatisticsAsync()).Participants);
        Assert.Equal(["onA"], (await ca.GetStatisticsAsync()).Participants);
        Assert.Equal(["onB"], (await cb.GetStatisticsAsync()).Participants);
    }

    [Fact]
    public async Task A_participant_in_a_main_position_travels_at_full_size_and_the_others_as_thumbnails()
    {
        await using Node a = await Node.StartAsync("A", 39600), b = await Node.StartAsync("B", 39700);
        var (ab, ba) = await LinkAsync(a, b, MixRole.LocalBackplane);
        using var speaker = new VideoTestEndpoint("speaker", TestPictures.Colours[6], width: 640, height: 360);
        using var quiet = new VideoTestEndpoint("quiet", TestPictures.Colours[7]);
        using var viewer = new VideoTestEndpoint("viewer", TestPictures.Colours[1]);
        VideoPictureLayout[] pictures =
        [
            new([new VideoTile(VideoTileKind.Participant, 0, 0, 1, 0.75, "speaker", IsMain: true), new VideoTile(VideoTileKind.Participant, 0, 0.75, 0.25, 0.25, "quiet")], ["viewer"]),
            FixedLayoutPolicy.FullScreen("viewer", "speaker", "quiet"),
        ];
        foreach (Node node in new[] { a, b })
        {
            await node.Conference.InvokeAsync(() => node.Policy.Set(pictures, mainSources: ["speaker", "viewer"]));
        }

        await VideoTestRun.ConnectAsync(a.Conference, speaker);
        await VideoTestRun.ConnectAsync(a.Conference, quiet);
        await VideoTestRun.ConnectAsync(b.Conference, viewer);
        Assert.True(VideoTestRun.Run([speaker, quiet, viewer], 450, _ =>
            VideoTestRun.Shows(viewer, speaker.Colour, 0, 0, 1, 0.75) && VideoTestRun.Shows(viewer, quiet.Colour, 0, 0.75, 0.25, 0.25) &&
            VideoTestRun.Shows(speaker, viewer.Colour, 0, 0, 1, 1)));
        Assert.Equal(["quiet", "speaker"], (await ba.GetStatisticsAsync()).Participants);
        // A's forwards: the speaker at the conference's full size (SD), the quiet one at the thumbnail size.
        Assert.Equal(
            [VideoResolution.Thumbnail, VideoResolution.Sd],
            await a.Conference.Worker.InvokeAsync(() => new[] { "quiet", "speaker" }.Select(key => a.Conference.ForwardTierOf(key)).ToArray()));
    }

    [Fact]
    public async Task A_proxying_edges_relay_carries_video_and_its_rtcp_feedback_both_ways_R43()
    {
        await using Node node = await Node.StartAsync("T", 39800);
        var edgePorts = new RtpPortAllocator(new PortRange(39900, 39949));
        using var proxied = new VideoTestEndpoint("proxied", TestPictures.Colours[0], textured: true);
        using var direct = new VideoTestEndpoint("direct", TestPictures.Colours[2], textured: true);
        await node.Conference.InvokeAsync(() => node.Policy.Set([FixedLayoutPolicy.FullScreen("direct", "proxied"), FixedLayoutPolicy.FullScreen("proxied", "direct")]));

        // The signalling side's order: relay first (the endpoint's SDP address), then the leg pointed at the relay's inner side.
        await using var relay = RtpRelay.Start(IPAddress.Loopback, edgePorts, proxied.RtpEndPoint, proxied.RtcpEndPoint);
        VideoLeg leg = await node.Conference.AddLegAsync(new VideoLegOptions
        {
            ParticipantKey = "proxied",
            PayloadType = VideoTestEndpoint.PayloadType,
            RemoteRtp = new IPEndPoint(IPAddress.Loopback, relay.InnerRtpPort),
            RemoteRtcp = new IPEndPoint(IPAddress.Loopback, relay.InnerRtpPort + 1),
        });
        relay.SetMediaLeg(new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort));
        proxied.Server = new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort);
        proxied.ServerRtcp = new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort + 1);
        await VideoTestRun.ConnectAsync(node.Conference, direct);

        Assert.True(VideoTestRun.Run([proxied, direct], 300, _ =>
            VideoTestRun.Shows(proxied, direct.Colour, 0, 0, 1, 1, 20) && VideoTestRun.Shows(direct, proxied.Colour, 0, 0, 1, 1, 20)));
        proxied.SendPictureLossIndication(); // through the relay to the leg, which makes its encoder send a key frame back
        Assert.True(VideoTestRun.Run([proxied, direct], 150, _ => leg.GetStatistics().KeyframeRequestsReceived >= 1 && proxied.FrameKinds.Contains(true)),
            $"{leg.GetStatistics()}; proxied: frames since the PLI {proxied.FrameKinds.Count}, PLIs sent {proxied.PliSent}, NACKs sent {proxied.NacksSent}; relay {relay.GetStatistics()}");
        RtpRelayStatistics relayed = relay.GetStatistics();
        Assert.True(relayed.RtpFromEndpoint > 0 && relayed.RtpToEndpoint > 0 && relayed.RtcpFromEndpoint > 0 && relayed.RtcpToEndpoint > 0 && relayed.Dropped == 0, relayed.ToString());
    }

    [Fact]
    public async Task A_participant_that_left_another_node_is_forgotten_once_its_stream_stops()
    {
        await using Node a = await Node.StartAsync("A", 37500), b = await Node.StartAsync("B", 38900, remoteIdle: TimeSpan.FromSeconds(1));
        var (_, ba) = await LinkAsync(a, b, MixRole.LocalBackplane);
        using var leaver = new VideoTestEndpoint("leaver", TestPictures.Colours[3]);
        using var viewer = new VideoTestEndpoint("viewer", TestPictures.Colours[5]);
        VideoPictureLayout[] pictures = [FixedLayoutPolicy.FullScreen("leaver", "viewer"), FixedLayoutPolicy.FullScreen("viewer", "leaver")];
        foreach (Node node in new[] { a, b })
        {
            await node.Conference.InvokeAsync(() => node.Policy.Set(pictures, mainSources: []));
        }

        VideoLeg leaverLeg = await VideoTestRun.ConnectAsync(a.Conference, leaver);
        await VideoTestRun.ConnectAsync(b.Conference, viewer);
        Assert.True(VideoTestRun.Run([leaver, viewer], 300, _ => VideoTestRun.Shows(viewer, leaver.Colour, 0, 0, 1, 1)));
        Assert.Equal(1, (await ba.GetStatisticsAsync()).Streams);

        await a.Conference.RemoveLegAsync(leaverLeg);
        int streams = 1;
        VideoTestRun.Run([viewer], 200, _ => (streams = ba.GetStatisticsAsync().GetAwaiter().GetResult().Streams) == 0);
        Assert.Equal(0, streams);
        // Its tile (still in the layout until the roster says otherwise) falls back to the camera-off placeholder.
        Assert.True(VideoTestRun.Run([viewer], 200, _ => VideoTestRun.Shows(viewer, PictureComposer.Placeholder, 0, 0, 1, 1)), $"{VideoTestRun.Sample(viewer, 0, 0, 1, 1)}");
    }
}
