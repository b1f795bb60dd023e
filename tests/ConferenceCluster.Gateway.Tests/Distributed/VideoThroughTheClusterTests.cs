using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Video.Composition;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConferenceCluster.Gateway.Tests.Distributed;

/// <summary>
/// Issue 14's test through the cluster: SIP video phones of ours (each encodes a colour of its own with libvpx and decodes
/// what it receives) call a VMR on in-process silos on PostgreSQL; their video goes through the grains (the conference's
/// layout and roster handed to every media node, video legs beside audio legs, backplane ends with video, a proxying
/// edge's video relay) and each phone's composite is sampled at Pexip's 1+7 positions (seed L7178): the other two at
/// their places, never itself in the main position. A real baresip (fakevideo + vp8) in the same conference is checked
/// with its snapshot module. An audio-only caller costs 1/12 HD in its node's ledger and hears everyone; a transform_layout
/// through the management API turns everyone's picture into 1+0 (L7174). No timing is asserted: every wait is bounded.
/// </summary>
public sealed class VideoThroughTheClusterTests(ITestOutputHelper output)
{
    private const double Seventh = 1.0 / 7;

    /// <summary>Tiles of 1+7 (LayoutGeometry): the main speaker above, 1/7-wide thumbnails in the bottom row.</summary>
    private static bool InMain(VideoTestEndpoint phone, YuvColor colour) => VideoTestRun.Shows(phone, colour, Seventh / 2, 0, 6 * Seventh, 6 * Seventh, 16);

    private static bool InThumbnail(VideoTestEndpoint phone, int index, YuvColor colour) => VideoTestRun.Shows(phone, colour, index * Seventh, 6 * Seventh, Seventh, Seventh, 16);

    /// <summary>1+0: one tile, the whole picture: its centre and the corner where 1+7's first thumbnail was show the same participant.</summary>
    private static bool FullScreen(VideoTestEndpoint phone, YuvColor colour) =>
        VideoTestRun.Shows(phone, colour, 0.25, 0.25, 0.5, 0.5, 16) && VideoTestRun.Shows(phone, colour, 0, 6 * Seventh, Seventh, Seventh, 16);

    private static string Describe(VideoTestEndpoint phone) =>
        $"{phone.Name}: {phone.Picture?.Width}x{phone.Picture?.Height} main {VideoTestRun.Sample(phone, Seventh / 2, 0, 6 * Seventh, 6 * Seventh)}, thumbnails " +
        string.Join(" ", Enumerable.Range(0, 3).Select(i => VideoTestRun.Sample(phone, i * Seventh, 6 * Seventh, Seventh, Seventh)));

    /// <summary>Steps the phones (send a frame, decode what came) every 33 ms on a thread of their own until <paramref name="done"/> holds.</summary>
    private static Task<bool> RunPhonesAsync(IReadOnlyList<VideoTestEndpoint> phones, Func<bool> done, int maxFrames = 900) =>
        Task.Factory.StartNew(() => VideoTestRun.Run(phones, maxFrames, _ => done()), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Location A: two transcoding nodes; location B: one; location E: a proxying edge whose transcoding location is B.
    /// P1 (red) and P2 (green) call A, their media on A1 and A2; an audio-only caller joins A2; P3 (blue) calls the edge,
    /// its media on B1 behind E1's relays; a baresip calls A, its media on A2. Local backplane A1–A2, geo backplane A1–B1 (A1 the
    /// intermediary): P2's picture reaches P3 through A1, P3's reaches P2 the same way.
    /// </summary>
    [Fact]
    public async Task Three_video_phones_over_two_locations_and_an_edge_see_each_other_in_pexips_one_plus_seven_and_baresip_too_L7178_L7174()
    {
        NodeSpec[] nodes =
        [
            new("A1", "A", NodeRole.Transcoding, 100), new("A2", "A", NodeRole.Transcoding, 95),
            new("B1", "B", NodeRole.Transcoding, 100), new("E1", "E", NodeRole.Proxying, 100),
        ];
        SystemLocation[] locations = [SeedScenarios.Location("A"), SeedScenarios.Location("B"), SeedScenarios.Location("E", transcoding: "B")];
        // SD (768×448) keeps the encodes affordable on a shared 2-core machine; the phones ask for 512×288 composites.
        await using var cluster = await GatewayCluster.StartAsync("video", nodes, locations, SeedScenarios.Conference,
            room => room with { MaximumCallQuality = MaximumCallQuality.Sd });
        using var red = new VideoTestEndpoint("P1", TestPictures.Colours[0]);
        using var green = new VideoTestEndpoint("P2", TestPictures.Colours[1]);
        using var blue = new VideoTestEndpoint("P3", TestPictures.Colours[2]);
        VideoTestEndpoint[] phones = [red, green, blue];
        var callers = new List<ToneCaller>();
        var baresip = BaresipVideo.Prepare("bs", rtpPorts: "48000-48998");
        Task? baresipRun = null;
        try
        {
            // The allocator picks the node with the most room (R21), one already hosting first: A1, then A2 once A1 is full.
            var p1 = await cluster.CallAsync("p1", 440, "A1", red, quiet: true);
            callers.Add(p1);
            Assert.Equal(("A1", null, "A1"), await cluster.PlacementOfAsync(p1));
            // R-QoS-2: an SD call is half an HD call, and A1 took the conference's SD backplane reservation (R54).
            Assert.Equal(MediaCosts.SdCall + MediaCosts.SdCall, await LoadAsync(cluster, "A1"));
            await cluster.FillAsync("A1");
            var p2 = await cluster.CallAsync("p2", 620, "A1", green, quiet: true);
            callers.Add(p2);
            Assert.Equal(("A1", null, "A2"), await cluster.PlacementOfAsync(p2));

            // An audio-only caller in the video conference costs an audio call, 1/12 HD (L1179), in A2's ledger.
            var before = await LoadAsync(cluster, "A2");
            var audioOnly = await cluster.CallAsync("t", 830, "A1");
            callers.Add(audioOnly);
            Assert.Equal(("A1", null, "A2"), await cluster.PlacementOfAsync(audioOnly));
            Assert.Equal(new CapacityUnits(CapacityUnits.PerHdCall / 12), await LoadAsync(cluster, "A2") - before);

            var p3 = await cluster.CallAsync("p3", 1070, "E1", blue, quiet: true);
            callers.Add(p3);
            Assert.Equal(("E1", "E1", "B1"), await cluster.PlacementOfAsync(p3));
            // Its SDP answer named the edge: its video goes through E1's video relay, not to B1.
            Assert.Equal("E1", cluster.MediaNodeOfPort(blue.Server!.Port));

            baresipRun = baresip.RunAsync($"sip:{GatewayCluster.Alias}@127.0.0.1:{cluster["A1"].SipPort}", seconds: 120);
            await GatewayCluster.WaitUntilAsync(async () => (await cluster.StatusAsync()).Participants.Count == 5, "baresip to join", TimeSpan.FromSeconds(30));

            // Nobody speaks (the phones are quiet): the join order decides. P1 cannot be its own main speaker: it sees P2 there
            // and itself in the first thumbnail; everyone else sees P1, then P2, P3 (and baresip) in the thumbnails.
            bool joined = await RunPhonesAsync(phones, () =>
                InMain(red, green.Colour) && InThumbnail(red, 0, red.Colour) && InThumbnail(red, 1, blue.Colour) &&
                InMain(green, red.Colour) && InThumbnail(green, 0, green.Colour) && InThumbnail(green, 1, blue.Colour) &&
                InMain(blue, red.Colour) && InThumbnail(blue, 0, green.Colour) && InThumbnail(blue, 1, blue.Colour));
            Assert.True(joined, string.Join("\n", phones.Select(Describe)));
            Assert.All(phones, phone => Assert.False(InMain(phone, phone.Colour), $"{phone.Name} sees itself in main"));

            // The real baresip sees the same picture: P1 red in main, P2 green and P3 blue in the first two thumbnails.
            await CheckBaresipAsync(baresip, phones);

            // Video crossed both backplanes and the edge: every node that hosts the conference composes it.
            foreach (var node in new[] { "A1", "A2", "B1" })
                Assert.True(cluster[node].Services.GetRequiredService<Media.MediaNode>().VideoConferenceCount == 1, $"{node} composes no video");

            // A Host changes the layout through the management API (L7089): 1+0, the main speaker full screen (L7174).
            Assert.Equal(System.Net.HttpStatusCode.Accepted, await cluster.PostAsync("/api/admin/command/v1/conference/transform_layout/",
                new { conference_id = SeedScenarios.Conference, layout = "1:0" }));
            Assert.Equal(LayoutKind.OnePlusZero, (await cluster.StatusAsync()).Layout);
            bool oneTile = await RunPhonesAsync(phones, () => FullScreen(red, green.Colour) && FullScreen(green, red.Colour) && FullScreen(blue, red.Colour));
            Assert.True(oneTile, string.Join("\n", phones.Select(Describe)));

            // Everyone talks now: the audio-only caller hears every video caller (across both backplanes and the edge) once,
            // and they hear it and each other.
            foreach (var caller in callers) caller.Quiet = false;
            var heard = await HearAsync(callers, phones);
            output.WriteLine(heard.ToString());
            heard.AssertEveryoneHearsEveryOtherOnce();

            await baresip.HangUpAndQuitAsync();
            await baresipRun.WaitAsync(TimeSpan.FromSeconds(20));
            baresipRun = null;
            foreach (var caller in callers) await caller.HangUpAsync();
            await GatewayCluster.WaitUntilAsync(() => cluster.Silos.Values.All(s =>
            {
                var media = s.Services.GetRequiredService<Media.MediaNode>();
                return media.LegCount == 0 && media.VideoLegCount == 0 && media.BackplaneCount == 0 && media.ConferenceCount == 0
                       && media.VideoConferenceCount == 0 && s.Services.GetRequiredService<Media.MediaRelays>().Count == 0;
            }), "every node to let go of the conference's audio and video");
            ExternalTool.DeleteOnSuccess(baresip.Directory);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{string.Join("\n", phones.Select(Describe))}\n{baresip.Result?.Describe()}\n{cluster.Logs(40)}", ex);
        }
        finally
        {
            if (baresipRun is not null)
            {
                try { await baresip.HangUpAndQuitAsync(); } catch (Exception) { /* it may be gone already */ }
            }
            foreach (var caller in callers) await caller.DisposeAsync();
        }
    }

    /// <summary>
    /// A media node fails (issue 6's failover with video): the video phone whose media it carried is placed again on the
    /// surviving node, and its signalling node's re-INVITE moves its video as well as its audio; both phones see each
    /// other again, in the same join order (the moved call keeps its place).
    /// </summary>
    [Fact]
    public async Task A_video_call_moved_off_a_failed_media_node_is_re_INVITEd_with_its_video_and_sees_the_others_again()
    {
        NodeSpec[] nodes = [new("T1", "A", NodeRole.Transcoding, 100), new("T2", "A", NodeRole.Transcoding, 100)];
        await using var cluster = await GatewayCluster.StartAsync("video-failover", nodes, [SeedScenarios.Location("A")], SeedScenarios.Conference,
            room => room with { MaximumCallQuality = MaximumCallQuality.Sd });
        using var red = new VideoTestEndpoint("P1", TestPictures.Colours[0]);
        using var green = new VideoTestEndpoint("P2", TestPictures.Colours[1]);
        VideoTestEndpoint[] phones = [red, green];
        var callers = new List<ToneCaller>();
        try
        {
            // Both signal on T2; P1's media goes to T1 (ties go by name), P2's to T2 once T1 is full.
            var p1 = await cluster.CallAsync("p1", 440, "T2", red, quiet: true);
            callers.Add(p1);
            Assert.Equal(("T2", null, "T1"), await cluster.PlacementOfAsync(p1));
            await cluster.FillAsync("T1");
            var p2 = await cluster.CallAsync("p2", 620, "T2", green, quiet: true);
            callers.Add(p2);
            Assert.Equal(("T2", null, "T2"), await cluster.PlacementOfAsync(p2));
            Assert.True(await RunPhonesAsync(phones, () => InMain(red, green.Colour) && InMain(green, red.Colour)), string.Join("\n", phones.Select(Describe)));

            await cluster.KillAsync("T1");
            var moved = await p1.AcceptReInviteAsync(TimeSpan.FromSeconds(15));
            Assert.True(moved is not null, "p1 was not re-INVITEd");
            Assert.Equal(("T2", "T2"), (cluster.MediaNodeOfPort(moved.Port), cluster.MediaNodeOfPort(red.Server!.Port)));
            Assert.True(await RunPhonesAsync(phones, () => InMain(red, green.Colour) && InMain(green, red.Colour) && InThumbnail(green, 0, green.Colour)),
                string.Join("\n", phones.Select(Describe)));
            Assert.Equal(2, cluster["T2"].Services.GetRequiredService<Media.MediaNode>().VideoLegCount);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{string.Join("\n", phones.Select(Describe))}\n{cluster.Logs(40)}", ex);
        }
        finally
        {
            foreach (var caller in callers) await caller.DisposeAsync();
        }
    }

    private static async Task<CapacityUnits> LoadAsync(GatewayCluster cluster, string node) =>
        (await cluster[node].Grains.GetGrain<INodeGrain>(node).GetStatus()).Load;

    /// <summary>
    /// baresip's snapshot of what it receives (the snapshot module writes the next decoded picture): the phones keep sending
    /// meanwhile, and up to ten snapshots are taken until one shows the layout (the first may predate its key frame).
    /// </summary>
    private async Task CheckBaresipAsync(BaresipVideo baresip, IReadOnlyList<VideoTestEndpoint> phones)
    {
        var seen = false;
        var pumping = RunPhonesAsync(phones, () => Volatile.Read(ref seen));
        string last = "no snapshot";
        try
        {
            for (var attempt = 0; attempt < 10 && !seen; attempt++)
            {
                var picture = await baresip.SnapshotReceivedAsync();
                var main = picture.MeanOf(Seventh / 2, 0, 6 * Seventh, 6 * Seventh);
                var first = picture.MeanOf(0, 6 * Seventh, Seventh, Seventh);
                var second = picture.MeanOf(Seventh, 6 * Seventh, Seventh, Seventh);
                last = $"{picture.Width}x{picture.Height}: main {main}, thumbnails {first} {second}";
                seen = RgbPicture.Distance(main, Rgb(phones[0].Colour)) <= 48
                       && RgbPicture.Distance(first, Rgb(phones[1].Colour)) <= 48
                       && RgbPicture.Distance(second, Rgb(phones[2].Colour)) <= 48;
            }
        }
        finally
        {
            Volatile.Write(ref seen, true);
            await pumping;
        }
        output.WriteLine($"baresip received {last}");
        Assert.True(seen, $"baresip's snapshot does not show P1, P2 and P3 at their 1+7 places: {last}");
    }

    /// <summary>The RGB a YUV test colour decodes to (BT.601 limited range, as baresip's snapshot converts it).</summary>
    private static (int R, int G, int B) Rgb(YuvColor colour)
    {
        double y = 1.164 * (colour.Y - 16), u = colour.U - 128, v = colour.V - 128;
        static int Clamp(double value) => (int)Math.Clamp(Math.Round(value), 0, 255);
        return (Clamp(y + 1.596 * v), Clamp(y - 0.392 * u - 0.813 * v), Clamp(y + 2.017 * u));
    }

    /// <summary>What each caller heard of each other over 1.5 s after 1.5 s to settle, with the phones' video running.</summary>
    private static async Task<HearingMatrix> HearAsync(IReadOnlyList<ToneCaller> callers, IReadOnlyList<VideoTestEndpoint> phones)
    {
        var start = DateTime.UtcNow;
        DateTime? from = null;
        await RunPhonesAsync(phones, () =>
        {
            var now = DateTime.UtcNow;
            if (from is null && now - start >= TimeSpan.FromSeconds(1.5)) from = now;
            return from is { } f && now - f >= TimeSpan.FromSeconds(1.5);
        });
        return HearingMatrix.Measure(callers, from ?? start, DateTime.UtcNow);
    }
}
