using System.Net;
using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Workers;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Video.Mixing;

/// <summary>
/// The video pipeline of one node over real UDP: test phones send libvpx-encoded colours, the conference decodes each
/// once, composes the pictures its layout policy names, encodes each distinct one once and sends it; the phones decode
/// what they get and the test samples tile centres. Nothing here asserts timing: frames are awaited, then checked.
/// </summary>
public sealed class VideoConferenceTests
{
    private static MediaEngine Engine(int portBase) => new(new MediaOptions
    {
        WorkerCount = 1,
        BindAddress = IPAddress.Loopback,
        PortRange = new PortRange(portBase, portBase + 99),
    });

    [Fact]
    public async Task Two_phones_each_see_the_other_and_not_themselves()
    {
        await using MediaEngine media = Engine(38000);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        policy.Set([FixedLayoutPolicy.FullScreen("blue", "red"), FixedLayoutPolicy.FullScreen("red", "blue")]);
        VideoConference conference = await video.CreateConferenceAsync("two", policy);
        using var red = new VideoTestEndpoint("red", TestPictures.Colours[0]);
        using var blue = new VideoTestEndpoint("blue", TestPictures.Colours[2]);
        await VideoTestRun.ConnectAsync(conference, red);
        await VideoTestRun.ConnectAsync(conference, blue);

        bool seen = VideoTestRun.Run([red, blue], 300, _ =>
            VideoTestRun.Shows(red, blue.Colour, 0, 0, 1, 1) && VideoTestRun.Shows(blue, red.Colour, 0, 0, 1, 1));

        Assert.True(seen, $"red sees {VideoTestRun.Sample(red, 0, 0, 1, 1)}, blue sees {VideoTestRun.Sample(blue, 0, 0, 1, 1)}");
        Assert.Equal((1280, 720), (red.Picture!.Width, red.Picture.Height)); // the conference's HD default
        Assert.Equal(2, await conference.GetEncoderCountAsync());
    }

    [Fact]
    public async Task Viewers_of_the_same_picture_share_one_encode_each_behind_its_own_ssrc()
    {
        await using MediaEngine media = Engine(38100);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        // Three viewers see red and green side by side; red and green see each other.
        policy.Set([
            FixedLayoutPolicy.Columns(["red", "green"], "v1", "v2", "v3"),
            FixedLayoutPolicy.FullScreen("green", "red"),
            FixedLayoutPolicy.FullScreen("red", "green")]);
        VideoConference conference = await video.CreateConferenceAsync("shared", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var red = new VideoTestEndpoint("red", TestPictures.Colours[0]);
        using var green = new VideoTestEndpoint("green", TestPictures.Colours[1]);
        VideoTestEndpoint[] viewers = [new("v1", default), new("v2", default), new("v3", default)];
        foreach (VideoTestEndpoint viewer in viewers)
        {
            viewer.Silent = true;
        }

        try
        {
            await VideoTestRun.ConnectAsync(conference, red);
            await VideoTestRun.ConnectAsync(conference, green);
            var legs = new List<VideoLeg>();
            foreach (VideoTestEndpoint viewer in viewers)
            {
                legs.Add(await VideoTestRun.ConnectAsync(conference, viewer, o => new VideoLegOptions
                {
                    ParticipantKey = o.ParticipantKey, PayloadType = o.PayloadType, RemoteRtp = o.RemoteRtp, RemoteRtcp = o.RemoteRtcp, Sends = false,
                }));
            }

            bool seen = VideoTestRun.Run([red, green, .. viewers], 300, _ => viewers.All(v =>
                VideoTestRun.Shows(v, red.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(v, green.Colour, 0.5, 0, 0.5, 1)));

            Assert.True(seen, string.Join("; ", viewers.Select(v => $"{v.Name} sees {VideoTestRun.Sample(v, 0, 0, 0.5, 1)} | {VideoTestRun.Sample(v, 0.5, 0, 0.5, 1)}")));
            Assert.Equal(3, await conference.GetEncoderCountAsync()); // the shared picture once, and one each for red and green
            Assert.Equal(3, viewers.Select(v => v.SsrcsReceived.Single()).Distinct().Count());
            Assert.All(viewers, v => Assert.Equal((768, 448), (v.Picture!.Width, v.Picture.Height))); // SD: 448p
        }
        finally
        {
            foreach (VideoTestEndpoint viewer in viewers)
            {
                viewer.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_pli_from_a_viewer_makes_the_next_frame_a_keyframe_RFC4585()
    {
        await using MediaEngine media = Engine(38200);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        policy.Set([FixedLayoutPolicy.FullScreen("b", "a"), FixedLayoutPolicy.FullScreen("a", "b")]);
        VideoConference conference = await video.CreateConferenceAsync("pli", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var a = new VideoTestEndpoint("a", TestPictures.Colours[0], textured: true);
        using var b = new VideoTestEndpoint("b", TestPictures.Colours[3], textured: true);
        VideoLeg legA = await VideoTestRun.ConnectAsync(conference, a);
        await VideoTestRun.ConnectAsync(conference, b);

        // Past the first key frame, into inter frames.
        Assert.True(VideoTestRun.Run([a, b], 300, _ => a.FramesReceived >= 10 && a.FrameKinds.Skip(1).Take(5).All(k => !k)));
        int keyframesBefore = a.KeyframesReceived;
        a.SendPictureLossIndication();
        Assert.True(VideoTestRun.Run([a, b], 150, _ => a.FrameKinds.Count >= 3), "frames after the PLI");
        // The frame after the one in flight is a key frame (the request reaches the worker between frames).
        Assert.Contains(true, a.FrameKinds.Take(2));
        Assert.True(a.KeyframesReceived > keyframesBefore);
        Assert.True(legA.GetStatistics().KeyframeRequestsReceived >= 1);
    }

    [Fact]
    public async Task Packets_lost_from_a_sender_are_nacked_and_retransmitted_so_every_frame_decodes_RFC4585()
    {
        await using MediaEngine media = Engine(38300);
        // A generous wait for retransmissions: on a loaded machine the phone may answer a NACK late, and this test is
        // about NACK recovering every hole, not about how fast.
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1, MaxWaitForRetransmission = TimeSpan.FromSeconds(5) });
        var policy = new FixedLayoutPolicy();
        policy.Set([FixedLayoutPolicy.FullScreen("lossy", "viewer")]);
        VideoConference conference = await video.CreateConferenceAsync("nack-in", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var lossy = new VideoTestEndpoint("lossy", TestPictures.Colours[4], width: 640, height: 360, textured: true);
        using var viewer = new VideoTestEndpoint("viewer", default) { Silent = true };
        // Lose one packet in every 25 on the way in (the first packet is the stream's start and goes through).
        lossy.DropOutgoing = index => index > 0 && index % 25 == 0;
        VideoLeg leg = await VideoTestRun.ConnectAsync(conference, lossy);
        await VideoTestRun.ConnectAsync(conference, viewer);

        Assert.True(VideoTestRun.Run([lossy, viewer], 600, _ => leg.GetStatistics().FramesDecoded >= 60 && lossy.PacketsRetransmitted >= 5),
            $"{leg.GetStatistics()}, sender: NACKs {lossy.NacksReceived}, retransmitted {lossy.PacketsRetransmitted}, PLIs {lossy.PliReceived}");
        VideoLegStatistics statistics = leg.GetStatistics();
        Assert.True(statistics.NacksSent >= 5, $"NACKs sent: {statistics.NacksSent}");
        Assert.Equal(0, statistics.FramesDamaged); // every hole was filled by a retransmission
        Assert.True(VideoTestRun.Shows(viewer, lossy.Colour, 0, 0, 1, 1, tolerance: 20), $"viewer sees {VideoTestRun.Sample(viewer, 0, 0, 1, 1)}");
    }

    [Fact]
    public async Task Packets_lost_toward_a_viewer_are_retransmitted_from_the_history_when_it_nacks()
    {
        await using MediaEngine media = Engine(38400);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        policy.Set([FixedLayoutPolicy.FullScreen("camera", "viewer")]);
        VideoConference conference = await video.CreateConferenceAsync("nack-out", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var camera = new VideoTestEndpoint("camera", TestPictures.Colours[5], textured: true);
        using var viewer = new VideoTestEndpoint("viewer", default) { Silent = true };
        await VideoTestRun.ConnectAsync(conference, camera);
        VideoLeg viewerLeg = await VideoTestRun.ConnectAsync(conference, viewer);

        Assert.True(VideoTestRun.Run([camera, viewer], 300, _ => viewer.FramesReceived >= 5));
        // Lose the next few packets toward the viewer once each; it NACKs them like a browser would.
        int next = (ushort)(viewerLeg.GetStatistics().PacketsSent + viewer.FirstIncomingSequence);
        for (int i = 5; i < 40; i += 7)
        {
            viewer.DropIncomingOnce((ushort)(next + i));
        }

        int framesBefore = viewer.FramesReceived;
        Assert.True(VideoTestRun.Run([camera, viewer], 300, _ => viewer.FramesReceived >= framesBefore + 30 && viewerLeg.GetStatistics().PacketsRetransmitted >= 5));
        Assert.True(viewer.NacksSent > 0);
        Assert.True(VideoTestRun.Shows(viewer, camera.Colour, 0, 0, 1, 1, tolerance: 20));
    }

    [Fact]
    public async Task A_sender_that_never_gets_a_keyframe_through_shows_a_placeholder_is_asked_for_one_and_harms_nobody()
    {
        await using MediaEngine media = Engine(38500);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        policy.Set([
            FixedLayoutPolicy.Columns(["good", "nokey"], "viewer"),
            FixedLayoutPolicy.FullScreen("viewer", "good", "nokey")]);
        VideoConference conference = await video.CreateConferenceAsync("no-keyframe", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var good = new VideoTestEndpoint("good", TestPictures.Colours[1]);
        using var nokey = new VideoTestEndpoint("nokey", TestPictures.Colours[0]) { NeverSendKeyframes = true };
        using var viewer = new VideoTestEndpoint("viewer", TestPictures.Colours[2]);
        await VideoTestRun.ConnectAsync(conference, good);
        VideoLeg nokeyLeg = await VideoTestRun.ConnectAsync(conference, nokey);
        await VideoTestRun.ConnectAsync(conference, viewer);

        Assert.True(VideoTestRun.Run([good, nokey, viewer], 400, _ =>
            VideoTestRun.Shows(viewer, good.Colour, 0, 0, 0.5, 1) && nokeyLeg.GetStatistics().KeyframeRequestsSent >= 3 && nokey.PliReceived >= 3 &&
            VideoTestRun.Shows(nokey, viewer.Colour, 0, 0, 1, 1)),
            $"viewer sees {VideoTestRun.Sample(viewer, 0, 0, 0.5, 1)}; {nokeyLeg.GetStatistics()}; PLIs at the sender {nokey.PliReceived}");
        // The broken sender's tile: the camera-off placeholder, never its colour; the good one unaffected.
        Assert.False(VideoTestRun.Shows(viewer, nokey.Colour, 0.5, 0, 0.5, 1, tolerance: 40), $"the right tile is {VideoTestRun.Sample(viewer, 0.5, 0, 0.5, 1)}");
        Assert.True(VideoTestRun.Shows(viewer, PictureComposer.Placeholder, 0.5, 0, 0.5, 1));
        VideoLegStatistics statistics = nokeyLeg.GetStatistics();
        Assert.Equal(0, statistics.FramesDecoded);
        Assert.True(statistics.FramesDropped + statistics.FramesDamaged > 0, statistics.ToString()); // what it sent was refused, not shown
    }

    [Fact]
    public async Task Garbage_truncated_and_damaged_video_never_stops_the_worker_and_the_others_continue()
    {
        await using MediaEngine media = Engine(38600);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        policy.Set([FixedLayoutPolicy.Columns(["good", "bad"], "viewer")]);
        VideoConference conference = await video.CreateConferenceAsync("garbage", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var good = new VideoTestEndpoint("good", TestPictures.Colours[3]);
        using var bad = new VideoTestEndpoint("bad", TestPictures.Colours[4]);
        using var viewer = new VideoTestEndpoint("viewer", default) { Silent = true };
        await VideoTestRun.ConnectAsync(conference, good);
        VideoLeg badLeg = await VideoTestRun.ConnectAsync(conference, bad);
        await VideoTestRun.ConnectAsync(conference, viewer);

        // First a clean start, so the bad sender has a picture to freeze on.
        Assert.True(VideoTestRun.Run([good, bad, viewer], 300, _ =>
            VideoTestRun.Shows(viewer, good.Colour, 0, 0, 0.5, 1) && VideoTestRun.Shows(viewer, bad.Colour, 0.5, 0, 0.5, 1)));

        const int Seed = 1414;
        Console.WriteLine($"video garbage seed {Seed}");
        var random = new Random(Seed);
        bad.DamagePayloads = random;
        using var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        long framesBefore = conference.FramesComposed;
        VideoTestRun.Run([good, bad, viewer], 90, onFrame: frame =>
        {
            // Besides damaged VP8: random datagrams, truncated RTP, absurd key frame headers, all to the bad leg's ports.
            for (int i = 0; i < 5; i++)
            {
                var junk = new byte[random.Next(0, 1500)];
                random.NextBytes(junk);
                if (junk.Length > 20 && i % 2 == 0)
                {
                    junk[0] = 0x80;
                    junk[1] = VideoTestEndpoint.PayloadType;
                    junk[12] = 0x90; // a frame start …
                    junk[16] = 0x10; // … of a "key frame" of 16383 × 16383
                    junk[19] = 0x9d; junk[20] = 0x01;
                }

                raw.SendTo(junk, bad.Server!);
                raw.SendTo(junk.AsSpan(0, junk.Length / 2), System.Net.Sockets.SocketFlags.None, bad.ServerRtcp!);
            }
        });

        // The worker is alive: pictures keep coming, the good tile is intact, and the bad one is frozen on its colour.
        bad.DamagePayloads = null;
        Assert.True(VideoTestRun.Run([good, bad, viewer], 200, _ =>
            conference.FramesComposed > framesBefore + 30 && VideoTestRun.Shows(viewer, good.Colour, 0, 0, 0.5, 1)));
        Assert.True(badLeg.GetStatistics().PacketsMalformed > 0 || badLeg.GetStatistics().FramesDropped > 0);
        Assert.All(video.GetWorkerStatistics(), s => Assert.True(s.Frames > 0));
    }

    [Fact]
    public async Task A_video_worker_allocates_nothing_per_frame_once_running()
    {
        await using MediaEngine media = Engine(38700);
        await using var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
        var policy = new FixedLayoutPolicy();
        policy.Set([FixedLayoutPolicy.Columns(["a", "b"], "viewer"), FixedLayoutPolicy.FullScreen("b", "a"), FixedLayoutPolicy.FullScreen("a", "b")]);
        VideoConference conference = await video.CreateConferenceAsync("allocation", policy, new VideoConferenceOptions { MaximumQuality = VideoQuality.Sd });
        using var a = new VideoTestEndpoint("a", TestPictures.Colours[0], textured: true);
        using var b = new VideoTestEndpoint("b", TestPictures.Colours[1], textured: true);
        using var viewer = new VideoTestEndpoint("viewer", default) { Silent = true };
        await VideoTestRun.ConnectAsync(conference, a);
        await VideoTestRun.ConnectAsync(conference, b);
        await VideoTestRun.ConnectAsync(conference, viewer);
        Assert.True(VideoTestRun.Run([a, b, viewer], 300, _ => VideoTestRun.Shows(viewer, a.Colour, 0, 0, 0.5, 1, 30) && VideoTestRun.Shows(viewer, b.Colour, 0.5, 0, 0.5, 1, 30)));

        // Steady state: decode, compose, encode, packetize, RTCP; the frames' own work must not allocate (the 24-byte
        // smallest object times the frames run bounds what a per-frame allocation would reach).
        VideoTestRun.Run([a, b, viewer], 150); // past the runtime's tiering of the hot paths (a one-off allocation)
        VideoWorkerStatistics start = video.GetWorkerStatistics()[0];
        VideoTestRun.Run([a, b, viewer], 90);
        VideoWorkerStatistics end = video.GetWorkerStatistics()[0];
        long frames = end.Frames - start.Frames;
        Assert.InRange(frames, 10, 10_000);
        Assert.True(end.AllocatedBytes - start.AllocatedBytes < 24 * frames, $"the video worker allocated {end.AllocatedBytes - start.AllocatedBytes} bytes in {frames} frames");
    }
}
