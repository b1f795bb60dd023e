using System.Net;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Gateway.Media.Video;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Video;
using ConferenceCluster.Media.Video.Composition;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Video.Workers;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Gateway.Tests.Video;

/// <summary>
/// The whole media layer with the real layout rules: two media nodes joined by a backplane, three video participants
/// (test phones encoding a distinct colour each with libvpx, over real UDP), two on one node and one on the other. Each
/// decodes the composite it receives and the test samples the tiles of Pexip's 1+7 (seed L7178): the other two
/// participants' colours at their positions, never its own in the main position, and voice switching to the remote
/// participant when it speaks (its level travels with its backplane stream). No timing is asserted.
/// </summary>
public sealed class VideoLayoutEndToEndTests
{
    private const double Seventh = 1.0 / 7;

    private sealed class FakeSpeaker : ISpeakerActivity
    {
        public double SpeechLevelDbfs { get; set; } = MediaParticipant.SilentDbfs;
    }

    private sealed class Node : IAsyncDisposable
    {
        public required MediaEngine Media { get; init; }
        public required VideoEngine Video { get; init; }
        public required VideoConference Conference { get; init; }
        public required ConferenceVideoLayout Layout { get; init; }

        public static async Task<Node> StartAsync(string name, int portBase)
        {
            var media = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(portBase, portBase + 99) });
            var video = new VideoEngine(media, new VideoOptions { WorkerCount = 1 });
            var (conference, layout) = await ConferenceVideoLayout.StartAsync(video, "vmr@" + name, ConferenceLayoutSettings.MeetingRoom(LayoutKind.OnePlusSeven),
                new VideoConferenceOptions { MaximumQuality = VideoQuality.Hd }, switchAfter: TimeSpan.FromMilliseconds(300));
            return new Node { Media = media, Video = video, Conference = conference, Layout = layout };
        }

        public async ValueTask DisposeAsync()
        {
            await Video.DisposeAsync();
            await Media.DisposeAsync();
        }
    }

    // 1+7 (LayoutGeometry): the main speaker above, thumbnails 1/7 wide in the bottom row.
    private static bool InMain(VideoTestEndpoint phone, YuvColor colour) => VideoTestRun.Shows(phone, colour, Seventh / 2, 0, 6 * Seventh, 6 * Seventh, 16);

    private static bool InThumbnail(VideoTestEndpoint phone, int index, YuvColor colour) => VideoTestRun.Shows(phone, colour, index * Seventh, 6 * Seventh, Seventh, Seventh, 16);

    private static string Describe(VideoTestEndpoint phone) =>
        $"{phone.Name}: main {VideoTestRun.Sample(phone, Seventh / 2, 0, 6 * Seventh, 6 * Seventh)}, " +
        $"thumbnails {VideoTestRun.Sample(phone, 0, 6 * Seventh, Seventh, Seventh)} {VideoTestRun.Sample(phone, Seventh, 6 * Seventh, Seventh, Seventh)}";

    [Fact]
    public async Task Three_participants_on_two_nodes_see_the_others_in_pexips_one_plus_seven_and_switch_to_the_remote_speaker_L7178()
    {
        await using Node a = await Node.StartAsync("A", 52000), b = await Node.StartAsync("B", 52100);
        BackplaneVideoLeg ab = await a.Conference.AddBackplaneAsync(MixRole.LocalBackplane);
        BackplaneVideoLeg ba = await b.Conference.AddBackplaneAsync(MixRole.LocalBackplane, new IPEndPoint(IPAddress.Loopback, ab.LocalRtpPort));
        await ab.SetRemoteAsync(new IPEndPoint(IPAddress.Loopback, ba.LocalRtpPort));

        using var red = new VideoTestEndpoint("P1", TestPictures.Colours[0]);   // on A
        using var green = new VideoTestEndpoint("P2", TestPictures.Colours[1]); // on A
        using var blue = new VideoTestEndpoint("P3", TestPictures.Colours[2]);  // on B
        var speakers = new Dictionary<string, FakeSpeaker> { ["P1"] = new(), ["P2"] = new(), ["P3"] = new() };
        foreach (Node node in new[] { a, b })
        {
            // Every node knows the whole roster (the conference grain tells them), in join order.
            foreach (string id in new[] { "P1", "P2", "P3" })
            {
                await node.Layout.SetParticipantAsync(new LayoutParticipant(id));
            }
        }

        await Connect(a, red, speakers["P1"]);
        await Connect(a, green, speakers["P2"]);
        await Connect(b, blue, speakers["P3"]);
        VideoTestEndpoint[] phones = [red, green, blue];

        // Nobody has spoken: the order is the join order. P1 (first) cannot be its own main speaker: it sees P2 there and
        // itself in the first thumbnail; P2 and P3 see P1 as main, then P2 and P3 in the thumbnails (one picture).
        bool joined = VideoTestRun.Run(phones, 450, _ =>
            InMain(red, green.Colour) && InThumbnail(red, 0, red.Colour) && InThumbnail(red, 1, blue.Colour) &&
            InMain(green, red.Colour) && InThumbnail(green, 0, green.Colour) && InThumbnail(green, 1, blue.Colour) &&
            InMain(blue, red.Colour) && InThumbnail(blue, 0, green.Colour) && InThumbnail(blue, 1, blue.Colour));
        Assert.True(joined, string.Join("\n", phones.Select(Describe)));
        Assert.Equal(2, await a.Conference.GetEncoderCountAsync()); // P1's picture, and the one P2 shares with P3 (P3's copy is on B)
        Assert.Equal(1, await b.Conference.GetEncoderCountAsync());

        // P3, on the other node, speaks: everyone else switches to it; P3 sees the next in line (P1), never itself, in main.
        speakers["P3"].SpeechLevelDbfs = -20;
        bool switched = VideoTestRun.Run(phones, 450, _ =>
            InMain(red, blue.Colour) && InMain(green, blue.Colour) && InMain(blue, red.Colour) &&
            InThumbnail(red, 0, red.Colour) && InThumbnail(red, 1, green.Colour) && InThumbnail(blue, 0, blue.Colour) && InThumbnail(blue, 1, green.Colour));
        Assert.True(switched, string.Join("\n", phones.Select(Describe)));
        Assert.Equal(1, await a.Conference.GetEncoderCountAsync()); // P1 and P2 now share the "everyone" picture
        Assert.All(phones, phone => Assert.False(InMain(phone, phone.Colour), $"{phone.Name} sees itself in main"));
    }

    private static Task<VideoLeg> Connect(Node node, VideoTestEndpoint phone, ISpeakerActivity speaker) =>
        VideoTestRun.ConnectAsync(node.Conference, phone, options => new VideoLegOptions
        {
            ParticipantKey = options.ParticipantKey,
            PayloadType = options.PayloadType,
            RemoteRtp = options.RemoteRtp,
            RemoteRtcp = options.RemoteRtcp,
            Speaker = speaker,
        });
}
