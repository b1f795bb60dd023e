using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Streams;
using ConferenceCluster.Media.Tests.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

/// <summary>
/// Distributed media through real sockets: six <see cref="MediaEngine"/>s in this process stand for the nodes of
/// <see cref="BackplaneTestTopology"/> (seed L2168: a star of local backplanes to each location's intermediary;
/// L2226: geo backplanes between the intermediaries), each on its own port range of 127.0.0.1, joined by backplane
/// legs built with <see cref="BackplaneCodecs.For"/> (L16 locally, Opus between locations). Eight test phones, Opus
/// or PCMU, each send a distinct tone. Nothing here asserts timing: only what was heard.
/// </summary>
public sealed class BackplaneNetworkTests
{
    private const byte OpusPt = 111;
    private const double ToneAmplitude = 2500; // eight voices: the seven others sum to 17500 at most, no clipping
    private static readonly double[] Tones = [400, 550, 700, 850, 1000, 1150, 1300, 1450];
    private static readonly AudioCodec[] PhoneCodecs =
        [AudioCodec.Opus, AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Opus, AudioCodec.Pcmu, AudioCodec.Opus, AudioCodec.Opus, AudioCodec.Pcmu];

    [Fact]
    public async Task Every_phone_hears_every_other_phone_exactly_once_across_three_locations_and_never_itself()
    {
        int nodeCount = BackplaneTestTopology.Nodes.Length;
        var engines = new MediaEngine[nodeCount];
        var conferences = new ConferenceMedia[nodeCount];
        var phones = new RtpTestEndpoint[Tones.Length];
        var backplaneLegs = new List<MediaParticipant>();
        try
        {
            for (int node = 0; node < nodeCount; node++)
            {
                engines[node] = new MediaEngine(new MediaOptions
                {
                    WorkerCount = 1,
                    BindAddress = IPAddress.Loopback,
                    PortRange = new PortRange(43400 + node * 50, 43449 + node * 50),
                });
                conferences[node] = await engines[node].CreateConferenceAsync("backplanes");
            }

            foreach (var (nodeA, nodeB, role) in BackplaneTestTopology.Links)
            {
                // The first end opens before the second exists (its remote unknown), as the wiring does it.
                MediaParticipant first = await conferences[nodeA].AddParticipantAsync(BackplaneCodecs.For(role));
                MediaParticipant second = await conferences[nodeB].AddParticipantAsync(BackplaneCodecs.For(role, new IPEndPoint(IPAddress.Loopback, first.LocalRtpPort)));
                await first.SetRemoteAsync(new IPEndPoint(IPAddress.Loopback, second.LocalRtpPort));
                backplaneLegs.Add(first);
                backplaneLegs.Add(second);
            }

            var payloads = new byte[Tones.Length][][];
            for (int i = 0; i < Tones.Length; i++)
            {
                bool opus = PhoneCodecs[i] == AudioCodec.Opus;
                phones[i] = new RtpTestEndpoint(opus ? OpusPt : (byte)0, opus ? 960 : 160);
                payloads[i] = opus
                    ? InboundAudioStreamTests.EncodeOpusTone(50, Tones[i], fec: false, amplitude: ToneAmplitude)
                    : TonePhones.EncodePcmuTone(50, Tones[i], ToneAmplitude);
                MediaParticipant leg = await conferences[BackplaneTestTopology.EndpointNodes[i]].AddParticipantAsync(new MediaEndpointOptions
                {
                    Codec = PhoneCodecs[i],
                    PayloadType = phones[i].PayloadType,
                    RemoteRtp = phones[i].LocalEndPoint,
                });
                phones[i].Server = new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort);
            }

            // 3 s of tones: the longest path (A2 → A1 → C1 → C2) crosses three backplanes, each a jitter buffer.
            // The intermediary A1 (two phones, two local and two geo backplanes) should allocate nothing per tick.
            var allocation = new WorkerAllocationWindow(conferences[0].Worker, startFrame: 60, endFrame: 120);
            TonePhones.Run(phones, payloads, frames: 150, tailFrames: 25, onFrame: allocation.OnFrame);

            var levels = new double[Tones.Length][];
            for (int listener = 0; listener < Tones.Length; listener++)
            {
                (short[] pcm, int rate) = TonePhones.Decode(PhoneCodecs[listener], phones[listener].Received.Values);
                levels[listener] = Tones.Select(frequency => TonePhones.MedianFrameAmplitude(pcm, rate, frequency)).ToArray();
            }

            if (Environment.GetEnvironmentVariable("E2E_DIAG") is not null)
            {
                Console.WriteLine("Backplane levels: " + string.Join(" | ", levels.Select(l => string.Join(",", l.Select(v => v.ToString("F0"))))));
                Console.WriteLine("Backplane legs: " + string.Join("\n", backplaneLegs.Select(leg => leg.GetStatistics().ToString())));
            }

            for (int listener = 0; listener < Tones.Length; listener++)
            {
                for (int talker = 0; talker < Tones.Length; talker++)
                {
                    double amplitude = levels[listener][talker];
                    string who = $"phone {listener} on {Node(listener)} hears phone {talker} on {Node(talker)} ({Tones[talker]} Hz) at amplitude {amplitude:F0}";
                    if (talker == listener)
                    {
                        Assert.True(amplitude < 0.1 * ToneAmplitude, who + ": its own voice came back");
                    }
                    else
                    {
                        // Once is about the sent amplitude; twice over paths of different delay sums to 0–2× depending on
                        // phase, so a double lands outside this band for most of the 56 pairs, and a loop grows without bound.
                        Assert.True(amplitude > 0.6 * ToneAmplitude && amplitude < 1.45 * ToneAmplitude, who + $" (sent at {ToneAmplitude}: expected once)");
                    }
                }
            }

            allocation.AssertNothingAllocatedPerTick();

            foreach (MediaParticipant leg in backplaneLegs)
            {
                MediaParticipantStatistics stats = leg.GetStatistics();
                Assert.InRange(stats.PacketsReceived, 100, 1000);
                Assert.InRange(stats.PacketsSent, 100, 1000);
            }
        }
        finally
        {
            foreach (MediaEngine? engine in engines)
            {
                if (engine is not null)
                {
                    await engine.DisposeAsync();
                }
            }

            foreach (RtpTestEndpoint? phone in phones)
            {
                phone?.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_backplane_sends_nothing_until_its_remote_is_set_and_never_latches_to_a_stranger()
    {
        await using var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(43700, 43719) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("backplane-leg");
        MediaParticipant backplane = await conference.AddParticipantAsync(BackplaneCodecs.For(MixRole.LocalBackplane));
        using var stranger = new RtpTestEndpoint(BackplaneCodecs.L16PayloadType, 960) { Server = new IPEndPoint(IPAddress.Loopback, backplane.LocalRtpPort) };
        using var peer = new RtpTestEndpoint(BackplaneCodecs.L16PayloadType, 960);
        var silence = new byte[AudioFormat.L16FrameBytes];

        // A symmetric-RTP endpoint would answer the first valid packet's source; a backplane must not.
        for (int i = 0; i < 10; i++)
        {
            stranger.SendFrame(silence);
            Thread.Sleep(20);
        }

        Assert.True(await PollAsync(() => backplane.GetStatistics().PacketsReceived >= 5), "the backplane never received the stranger's packets");
        Assert.Null(backplane.RemoteRtpEndPoint);
        Assert.Equal(0, backplane.GetStatistics().PacketsSent);

        await backplane.SetRemoteAsync(peer.LocalEndPoint);
        Assert.True(await PollAsync(() => { peer.DrainReceived(); return peer.Received.Count >= 5; }), "the backplane sent nothing once its remote was set");
        stranger.DrainReceived();
        Assert.Empty(stranger.Received);
        Assert.Equal([BackplaneCodecs.L16PayloadType], peer.ReceivedPayloadTypes);
        Assert.All(peer.Received.Values, payload => Assert.Equal(AudioFormat.L16FrameBytes, payload.Length));
        Assert.Equal(peer.LocalEndPoint, backplane.RemoteRtpEndPoint);
    }

    [Fact]
    public async Task Backplane_legs_use_the_backplane_jitter_buffer_and_endpoints_keep_theirs()
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(43720, 43739),
            BackplaneJitterBuffer = new JitterBufferOptions { MinDelayFrames = 1, InitialDelayFrames = 1 },
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("backplane-jitter");
        MediaParticipant backplane = await conference.AddParticipantAsync(BackplaneCodecs.For(MixRole.GeoBackplane));
        MediaParticipant phone = await conference.AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Pcmu, PayloadType = 0 });

        Assert.Equal(20, backplane.GetStatistics().JitterBufferDelayMs);
        Assert.Equal(60, phone.GetStatistics().JitterBufferDelayMs);
    }

    [Fact]
    public void Backplane_options_are_fixed_per_role_and_an_endpoint_has_none()
    {
        MediaEndpointOptions local = BackplaneCodecs.For(MixRole.LocalBackplane);
        MediaEndpointOptions geo = BackplaneCodecs.For(MixRole.GeoBackplane, new IPEndPoint(IPAddress.Loopback, 40000));
        Assert.Equal((MixRole.LocalBackplane, AudioCodec.L16, BackplaneCodecs.L16PayloadType), (local.Role, local.Codec, local.PayloadType));
        Assert.Equal((MixRole.GeoBackplane, AudioCodec.Opus, BackplaneCodecs.OpusPayloadType), (geo.Role, geo.Codec, geo.PayloadType));
        Assert.Equal(EncoderProfile.OpusBackplane, geo.EncoderProfile);
        Assert.Null(local.RemoteRtp);
        Assert.Throws<ArgumentOutOfRangeException>(() => BackplaneCodecs.For(MixRole.Endpoint));
    }

    private static string Node(int phone) => BackplaneTestTopology.Nodes[BackplaneTestTopology.EndpointNodes[phone]];

    /// <summary>Bounded polling: up to 5 s in 20 ms steps.</summary>
    private static async Task<bool> PollAsync(Func<bool> condition)
    {
        for (int attempt = 0; attempt < 250; attempt++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }
}
