using System.Diagnostics;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Streams;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Streams;

public class InboundAudioStreamTests
{
    private const uint Ssrc = 0xCAFE;
    private static readonly JitterBufferOptions Buffer = new() { MinDelayFrames = 2, InitialDelayFrames = 2, MaxConcealedFrames = 2 };

    [Fact]
    public void Opus_loss_is_rebuilt_from_the_next_packets_fec_and_a_double_loss_is_concealed()
    {
        byte[][] packets = EncodeOpusTone(frames: 8, frequency: 440, fec: true);
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        foreach (int frame in new[] { 0, 1, 2, 4, 7 }) // 3 lost (4 follows), 5 and 6 lost
        {
            Feed(stream, 111, frame, packets[frame], frameSamples: 960);
        }

        var pcm = new short[AudioFormat.MixFrameSamples];
        FrameSource[] sources = Enumerable.Range(0, 8).Select(_ => stream.PullFrame(pcm)).ToArray();

        Assert.Equal(
            [FrameSource.Decoded, FrameSource.Decoded, FrameSource.Decoded, FrameSource.FecRecovered, FrameSource.Decoded,
             FrameSource.Concealed, FrameSource.FecRecovered, FrameSource.Decoded],
            sources);
        Assert.Equal(2, stream.FecRecoveredFrames);
        Assert.Equal(1, stream.ConcealedFrames);
        Assert.Equal(5, stream.DecodedFrames);
    }

    [Fact]
    public void Opus_stream_that_stops_conceals_then_goes_silent_without_decoding()
    {
        byte[][] packets = EncodeOpusTone(frames: 3, frequency: 440, fec: false);
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        for (int frame = 0; frame < 3; frame++)
        {
            Feed(stream, 111, frame, packets[frame], 960);
        }

        var pcm = new short[AudioFormat.MixFrameSamples];
        FrameSource[] sources = Enumerable.Range(0, 7).Select(_ => stream.PullFrame(pcm)).ToArray();
        Assert.Equal(
            [FrameSource.Decoded, FrameSource.Decoded, FrameSource.Decoded, FrameSource.Concealed, FrameSource.Concealed, FrameSource.Silent, FrameSource.Silent],
            sources);
    }

    [Fact]
    public void Opus_dtx_frames_are_not_decoded()
    {
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        for (int frame = 0; frame < 4; frame++)
        {
            Feed(stream, 111, frame, [0xF8], 960); // a one-byte packet: TOC only
        }

        var pcm = new short[AudioFormat.MixFrameSamples];
        Assert.Equal(FrameSource.Silent, stream.PullFrame(pcm));
        Assert.Equal(3, stream.JitterBuffer.Count); // one frame was played out (as silence), not left waiting
        Assert.Equal(0, stream.DecodedFrames);
    }

    [Fact]
    public void G711_loss_repeats_the_last_frame_fading_out_then_falls_silent()
    {
        short[] tone = Signals.Sine(AudioFormat.NarrowbandFrameSamples, 1000, 8000, AudioFormat.NarrowbandSampleRate);
        var payload = new byte[AudioFormat.NarrowbandFrameSamples];
        G711MuLaw.Encode(tone, payload);
        using var stream = new InboundAudioStream(AudioCodec.Pcmu, 0, jitterBufferOptions: Buffer);
        foreach (int frame in new[] { 0, 1, 2, 5 })
        {
            Feed(stream, 0, frame, payload, 160);
        }

        var pcm = new short[AudioFormat.MixFrameSamples];
        Assert.Equal(FrameSource.Decoded, stream.PullFrame(pcm));
        Assert.Equal(FrameSource.Decoded, stream.PullFrame(pcm));
        Assert.Equal(FrameSource.Decoded, stream.PullFrame(pcm));
        double decodedRms = Signals.Rms(pcm);

        Assert.Equal(FrameSource.Concealed, stream.PullFrame(pcm)); // frame 3: the repeat
        double firstHalf = Signals.Rms(pcm.AsSpan(0, 480));
        double lastTenth = Signals.Rms(pcm.AsSpan(864));
        Assert.InRange(firstHalf, decodedRms * 0.5, decodedRms);
        Assert.True(lastTenth < decodedRms * 0.15, $"the repeat fades out ({lastTenth:F0} vs {decodedRms:F0})");

        Assert.Equal(FrameSource.Concealed, stream.PullFrame(pcm)); // frame 4: silence through the upsampler
        Assert.True(Signals.Rms(pcm) < decodedRms * 0.1);
        Assert.Equal(FrameSource.Decoded, stream.PullFrame(pcm)); // frame 5
    }

    [Theory]
    [InlineData(240)] // ptime 30, as the G.711 pcap sip-tester (SIPp) ships
    [InlineData(80)]  // ptime 10
    [InlineData(320)] // ptime 40
    public void G711_packets_of_other_than_20_ms_are_cut_into_20_ms_frames(int packetSamples)
    {
        // A continuous A-law tone sent in packets of packetSamples: every tick decodes a full 20 ms of it.
        short[] tone = Signals.Sine(960, 1000, 8000, AudioFormat.NarrowbandSampleRate);
        var encoded = new byte[tone.Length];
        G711ALaw.Encode(tone, encoded);
        using var stream = new InboundAudioStream(AudioCodec.Pcma, 8, jitterBufferOptions: Buffer);
        int packets = encoded.Length / packetSamples;
        for (int i = 0; i < packets; i++)
        {
            byte[] packet = RtpPackets.Build(8, (ushort)(1000 + i), (uint)(i * packetSamples), Ssrc, encoded.AsSpan(i * packetSamples, packetSamples).ToArray());
            Assert.Equal(InboundPacketKind.Audio, stream.OnPacket(packet, Stopwatch.GetTimestamp(), out _));
        }

        var pcm = new short[AudioFormat.MixFrameSamples];
        int frames = packets * packetSamples / AudioFormat.NarrowbandFrameSamples;
        for (int frame = 0; frame < frames; frame++)
        {
            Assert.Equal(FrameSource.Decoded, stream.PullFrame(pcm));
            if (frame > 0)
            {
                // The whole frame carries the tone (no silent tail from a short payload, no truncation).
                Assert.True(Signals.Rms(pcm.AsSpan(0, 480)) > 3000 && Signals.Rms(pcm.AsSpan(480)) > 3000, $"frame {frame} is not the full tone");
            }
        }

        Assert.Equal(0, stream.CorruptPackets);
    }

    [Fact]
    public void Telephone_events_are_reported_once_and_never_reach_the_decoder()
    {
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, telephoneEventPayloadType: 101, jitterBufferOptions: Buffer);
        var payload = new byte[4];
        int digits = 0;
        for (int i = 0; i < 6; i++)
        {
            bool end = i >= 3;
            new TelephoneEvent(7, end, 10, (ushort)(160 * (i + 1))).Write(payload);
            byte[] packet = RtpPackets.Build(101, (ushort)(500 + i), 48_000, Ssrc, payload);
            if (stream.OnPacket(packet, Stopwatch.GetTimestamp(), out DtmfDigit digit) == InboundPacketKind.DtmfDigit)
            {
                digits++;
                Assert.Equal('7', digit.Digit);
            }
        }

        Assert.Equal(1, digits);
        Assert.Equal(0, stream.JitterBuffer.Count);
    }

    [Fact]
    public void Garbage_and_unknown_payload_types_are_counted_not_buffered()
    {
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        Assert.Equal(InboundPacketKind.Rejected, stream.OnPacket([1, 2, 3], 0, out _));
        Assert.Equal(InboundPacketKind.UnknownPayloadType, stream.OnPacket(RtpPackets.Build(96, 1, 0, Ssrc, [1, 2, 3]), 0, out _));
        Assert.Equal(1, stream.RejectedPackets);
        Assert.Equal(1, stream.UnknownPayloadTypePackets);
        Assert.Equal(0, stream.JitterBuffer.Count);
    }

    [Fact]
    public void A_new_ssrc_restarts_the_stream()
    {
        byte[][] packets = EncodeOpusTone(frames: 4, frequency: 440, fec: false);
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        Feed(stream, 111, 0, packets[0], 960);
        Feed(stream, 111, 1, packets[1], 960);
        stream.OnPacket(RtpPackets.Build(111, 9000, 0, Ssrc + 1, packets[2]), 0, out _);
        stream.OnPacket(RtpPackets.Build(111, 9001, 960, Ssrc + 1, packets[3]), 0, out _);
        Assert.Equal(Ssrc + 1, stream.Statistics.Ssrc);
        Assert.Equal(2, stream.JitterBuffer.Count);
        var pcm = new short[AudioFormat.MixFrameSamples];
        Assert.Equal(FrameSource.Decoded, stream.PullFrame(pcm));
    }

    [Fact]
    public void A_stream_skipped_while_quiet_resumes_without_a_click()
    {
        // A talker the mixer did not decode for 20 frames (it was not among the loudest) is decoded again: its first
        // frame back must be what a decoder that never stopped would give, not a jump out of stale decoder state.
        byte[][] packets = EncodeOpusTone(frames: 60, frequency: 440, fec: false, amplitude: 8000);
        using var continuous = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        using var resumed = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer);
        using var naive = new OpusFrameDecoder(); // decodes frame 40 straight after frame 19: what a resume without care does
        var expected = new short[AudioFormat.MixFrameSamples];
        var actual = new short[AudioFormat.MixFrameSamples];
        var naiveFrame = new short[AudioFormat.MixFrameSamples];
        for (int frame = 0; frame < 2; frame++)
        {
            Feed(continuous, 111, frame, packets[frame], 960);
            Feed(resumed, 111, frame, packets[frame], 960);
        }

        for (int frame = 0; frame <= 40; frame++)
        {
            Feed(continuous, 111, frame + 2, packets[frame + 2], 960); // as a real sender: one packet per tick, two ahead
            Feed(resumed, 111, frame + 2, packets[frame + 2], 960);
            Assert.Equal(FrameSource.Decoded, continuous.PullFrame(expected));
            Assert.Equal(PeekedFrameKind.Packet, resumed.PeekFrame().Kind);
            if (frame < 20 || frame == 40)
            {
                Assert.Equal(FrameSource.Decoded, resumed.DecodePeeked(actual));
            }

            if (frame < 20 || frame == 40)
            {
                naive.Decode(packets[frame], naiveFrame);
            }
        }

        Assert.Equal(21, resumed.DecodedFrames);
        Assert.Equal(1, resumed.ResumedDecodes);
        double signal = Signals.Rms(expected);
        double resumedError = Signals.Rms(Difference(actual, expected));
        double naiveError = Signals.Rms(Difference(naiveFrame, expected));
        // The test can tell: resuming from stale state really does differ (a click) ...
        Assert.True(naiveError > 0.1 * signal, $"a naive resume differs by only {naiveError:F0} (signal {signal:F0}): the test would not see a click");
        // ... and the pre-rolled resume is the continuous decode, up to the first frame's small start-up difference.
        Assert.True(resumedError < 0.05 * signal, $"the resumed frame differs from the continuous one by {resumedError:F0} (signal {signal:F0}; naive resume {naiveError:F0})");
        Assert.True(MaxStep(actual) <= 1.5 * MaxStep(expected), $"largest sample step {MaxStep(actual)} vs {MaxStep(expected)} continuous");
    }

    [Fact]
    public void The_negotiated_audio_level_is_read_and_malformed_extensions_are_counted_not_fatal()
    {
        byte[][] packets = EncodeOpusTone(frames: 4, frequency: 440, fec: false);
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer, audioLevelExtensionId: 1);
        stream.OnPacket(RtpPackets.BuildWithExtension(111, 1000, 0, Ssrc, packets[0], RtpPackets.OneByteElement(1, [0x80 | 25])), 0, out _);
        // Element length says 4 bytes, the block holds 3 after it: malformed. The audio is kept, without a level.
        stream.OnPacket(RtpPackets.BuildWithExtension(111, 1001, 960, Ssrc, packets[1], [0x13, 0x01, 0x02, 0x00]), 0, out _);
        stream.OnPacket(RtpPackets.Build(111, 1002, 1920, Ssrc, packets[2]), 0, out _);
        Assert.Equal(1, stream.MalformedHeaderExtensions);
        Assert.Equal(1, stream.AudioLevelsReceived);
        Assert.Equal(3, stream.JitterBuffer.Count);

        Assert.Equal(new PeekedFrame(PeekedFrameKind.Packet, new AudioLevel(25, true)), stream.PeekFrame());
        Assert.Equal(new PeekedFrame(PeekedFrameKind.Packet, null), stream.PeekFrame());
        Assert.Equal(new PeekedFrame(PeekedFrameKind.Packet, null), stream.PeekFrame());
        Assert.Equal(0, stream.DecodedFrames); // peeking decodes nothing
    }

    [Fact]
    public void Fuzzed_packets_with_header_extensions_never_throw_out_of_the_stream()
    {
        // Whatever a sender puts in an RTP packet, OnPacket and a tick's peek/decode must not throw (a worker runs
        // every leg of its conferences; one client must not stop it).
        const int Seed = 6464;
        var random = new Random(Seed);
        byte[][] good = EncodeOpusTone(frames: 4, frequency: 440, fec: true);
        using var stream = new InboundAudioStream(AudioCodec.Opus, 111, jitterBufferOptions: Buffer, audioLevelExtensionId: 1);
        var pcm = new short[AudioFormat.MixFrameSamples];
        for (int i = 0; i < 5000; i++)
        {
            var elements = new byte[random.Next(0, 24)];
            random.NextBytes(elements);
            byte[] payload = random.Next(3) == 0 ? good[i % 4] : RandomBytes(random, random.Next(0, 300));
            byte[] packet = RtpPackets.BuildWithExtension(111, (ushort)(i + random.Next(-3, 4)), (uint)(i * 960 + random.Next(-2000, 2000)), Ssrc + (uint)random.Next(2),
                payload, elements, random.Next(2) == 0 ? RtpHeaderExtensions.OneByteProfile : (ushort)(0x1000 | random.Next(16)));
            if (random.Next(5) == 0)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256); // and some damage anywhere
            }

            stream.OnPacket(packet, Stopwatch.GetTimestamp(), out _);
            if (random.Next(2) == 0)
            {
                PeekedFrame peeked = stream.PeekFrame();
                if (peeked.Kind != PeekedFrameKind.Silent && random.Next(2) == 0)
                {
                    stream.DecodePeeked(pcm);
                }
            }
        }

        Assert.True(stream.AudioLevelsReceived > 0 && stream.MalformedHeaderExtensions > 0, $"seed {Seed}: levels {stream.AudioLevelsReceived}, malformed {stream.MalformedHeaderExtensions}");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static short[] Difference(short[] a, short[] b) => a.Zip(b, (x, y) => (short)Math.Clamp(x - y, short.MinValue, short.MaxValue)).ToArray();

    private static int MaxStep(short[] pcm) => Enumerable.Range(1, pcm.Length - 1).Max(i => Math.Abs(pcm[i] - pcm[i - 1]));

    private static void Feed(InboundAudioStream stream, byte payloadType, int frame, byte[] payload, int frameSamples)
    {
        byte[] packet = RtpPackets.Build(payloadType, (ushort)(1000 + frame), (uint)(frame * frameSamples), Ssrc, payload);
        stream.OnPacket(packet, Stopwatch.GetTimestamp(), out _);
    }

    internal static byte[][] EncodeOpusTone(int frames, double frequency, bool fec, double amplitude = 8000)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(bitrateBps: 32_000, complexity: 10, inbandFec: fec, packetLossPercent: fec ? 20 : 0));
        var packets = new byte[frames][];
        var buffer = new byte[AudioFormat.MaxEncodedFrameBytes];
        for (int frame = 0; frame < frames; frame++)
        {
            short[] pcm = Signals.Sine(AudioFormat.MixFrameSamples, frequency, amplitude, AudioFormat.MixSampleRate, (long)frame * AudioFormat.MixFrameSamples);
            int bytes = encoder.Encode(pcm, buffer);
            packets[frame] = buffer.AsSpan(0, bytes).ToArray();
        }

        return packets;
    }
}
