using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Streams;
using ConferenceCluster.Media.Tests.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

/// <summary>
/// A conference whose legs live on two media workers (the mix once, on the home worker), with senders that tell their
/// level (RFC 6464) and one that does not, over real sockets and libopus. Nothing here asserts timing: only what was
/// heard, and what was decoded.
/// </summary>
public sealed class SpreadConferenceTests
{
    private const byte OpusPt = 111;
    private const int LevelExtensionId = 1;
    private static readonly double[] Tones = [400, 700, 1000, 1300];

    [Fact]
    public async Task A_conference_over_two_workers_mixes_exactly_and_decodes_only_whom_it_mixes()
    {
        // Talkers 0–2 send levels, talker 3 does not (a SIP phone: decoded every frame); 4–11 are quiet, with levels.
        const int Talkers = 4, Participants = 12, Frames = 110;
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 2,
            ConferenceSpreadThreshold = 0,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(41000, 41199),
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("spread");
        var phones = new RtpTestEndpoint[Participants];
        var legs = new MediaParticipant[Participants];
        var payloads = new byte[Participants][][];
        byte[][] quiet = EncodeQuietNoise(50);
        try
        {
            for (int i = 0; i < Participants; i++)
            {
                phones[i] = new RtpTestEndpoint(OpusPt, 960);
                payloads[i] = i < Talkers ? InboundAudioStreamTests.EncodeOpusTone(50, Tones[i], fec: false, amplitude: 6000) : quiet;
                legs[i] = await conference.AddParticipantAsync(new MediaEndpointOptions
                {
                    Codec = AudioCodec.Opus,
                    PayloadType = OpusPt,
                    RemoteRtp = phones[i].LocalEndPoint,
                    AudioLevelExtensionId = i == 3 ? null : LevelExtensionId,
                });
                phones[i].Server = new IPEndPoint(IPAddress.Loopback, legs[i].LocalRtpPort);
            }

            Assert.Equal(2, conference.Workers.Count);
            Assert.Equal(2, legs.Select(l => l.Worker).Distinct().Count());
            var allocation = engine.Workers.Select(w => new WorkerAllocationWindow(w, startFrame: 30, endFrame: 80)).ToArray();
            // A 6000-amplitude sine is −18 dBFS; the quiet noise −60.
            var talkerLevel = new AudioLevel(18, true);
            var quietLevel = new AudioLevel(60, false);
            TonePhones.Run(phones, payloads, Frames, tailFrames: 15, onFrame: null, send: (phone, index, payload) =>
            {
                if (index == 3)
                {
                    phone.SendFrame(payload);
                }
                else
                {
                    phone.SendFrame(payload, index < Talkers ? talkerLevel : quietLevel, LevelExtensionId);
                }
            }, onFrameDone: frame => Array.ForEach(allocation, a => a.OnFrame(frame)));

            for (int listener = 0; listener < Participants; listener++)
            {
                (short[] pcm, int rate) = TonePhones.Decode(AudioCodec.Opus, phones[listener].Received.Values);
                for (int talker = 0; talker < Talkers; talker++)
                {
                    double amplitude = TonePhones.MedianFrameAmplitude(pcm, rate, Tones[talker]);
                    if (talker == listener)
                    {
                        Assert.True(amplitude < 150, $"participant {listener} (worker {legs[listener].Worker.Index}) hears its own {Tones[talker]} Hz at {amplitude:F0}");
                    }
                    else
                    {
                        Assert.True(amplitude > 3000, $"participant {listener} (worker {legs[listener].Worker.Index}) hears {Tones[talker]} Hz (worker {legs[talker].Worker.Index}) only at {amplitude:F0} (sent at 6000)");
                    }
                }
            }

            // Talkers are decoded every frame; of the eight quiet legs, only the mixer's one audit per tick.
            long ticks = conference.TickCount;
            Assert.All(legs.Take(Talkers), leg => Assert.InRange(leg.Inbound.DecodedFrames, Frames - 20, Frames + 5));
            long quietDecodes = legs.Skip(Talkers).Sum(leg => leg.Inbound.DecodedFrames);
            Assert.True(quietDecodes <= ticks + 10, $"the quiet legs were decoded {quietDecodes} times in {ticks} ticks (without levels: about {8 * Frames})");
            Assert.True(legs.Skip(Talkers).All(leg => leg.Inbound.AudioLevelsReceived >= Frames - 5));
            Assert.Equal(0, conference.LevelsDistrusted);
            Assert.All(allocation, a => a.AssertNothingAllocatedPerTick());

            // The speech API: the talkers speak and are mixed; the quiet do not; only level senders are trusted.
            Assert.All(legs.Take(Talkers), leg => Assert.True(leg.Speech is { Speaking: true, InSpeakerSet: true }, leg.Speech.ToString()));
            Assert.All(legs.Skip(Talkers), leg => Assert.True(leg.Speech is { InSpeakerSet: false }, leg.Speech.ToString()));
            Assert.False(legs[3].Speech.LevelsTrusted);
            Assert.True(legs[0].Speech.LevelsTrusted);
        }
        finally
        {
            await conference.DisposeAsync();
            foreach (RtpTestEndpoint? phone in phones)
            {
                phone?.Dispose();
            }
        }
    }

    /// <summary>A faint hiss (about −60 dBFS), Opus-encoded: real packets a mixer without levels would have to decode.</summary>
    internal static byte[][] EncodeQuietNoise(int frames)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(bitrateBps: 16_000));
        var random = new Random(6464);
        var packets = new byte[frames][];
        var buffer = new byte[AudioFormat.MaxEncodedFrameBytes];
        for (int frame = 0; frame < frames; frame++)
        {
            short[] pcm = Signals.Random(random, AudioFormat.MixFrameSamples, -55, 55);
            packets[frame] = buffer.AsSpan(0, encoder.Encode(pcm, buffer)).ToArray();
        }

        return packets;
    }
}
