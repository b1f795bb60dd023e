using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Linear;
using ConferenceCluster.Media.Jitter;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Streams;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Codecs;

/// <summary>L16 at 48 kHz (RFC 3551 §4.5.11 byte order): lossless, and carried through the inbound stream like any codec.</summary>
public sealed class L16Tests
{
    [Fact]
    public void Encode_then_decode_is_exact_and_the_payload_is_big_endian()
    {
        short[] pcm = Signals.Random(new Random(7), AudioFormat.MixFrameSamples);
        pcm[0] = 0x1234;
        pcm[1] = -2; // 0xFFFE
        using IAudioFrameEncoder encoder = AudioFrameCodecs.CreateEncoder(EncoderProfile.L16);
        using IAudioFrameDecoder decoder = AudioFrameCodecs.CreateDecoder(AudioCodec.L16);
        var payload = new byte[AudioFormat.MaxPayloadBytes];

        int bytes = encoder.Encode(pcm, payload);
        var decoded = new short[AudioFormat.MixFrameSamples];
        int samples = decoder.Decode(payload.AsSpan(0, bytes), decoded);

        Assert.Equal(1920, bytes);
        Assert.Equal([0x12, 0x34, 0xFF, 0xFE], payload[..4]);
        Assert.Equal(AudioFormat.MixFrameSamples, samples);
        Assert.Equal(pcm, decoded);
    }

    [Fact]
    public void A_loss_fades_the_last_frame_out_once_then_is_silence()
    {
        using var decoder = new L16FrameDecoder();
        using var encoder = new L16FrameEncoder(EncoderProfile.L16);
        var payload = new byte[AudioFormat.L16FrameBytes];
        encoder.Encode(Signals.Constant(AudioFormat.MixFrameSamples, 9600), payload);
        var frame = new short[AudioFormat.MixFrameSamples];
        decoder.Decode(payload, frame);

        decoder.Conceal(frame);
        Assert.Equal(9600 * 959 / 960, frame[0]);
        Assert.Equal(0, frame[^1]);
        Assert.True(frame[480] is > 4000 and < 5600, $"mid-frame {frame[480]}");

        decoder.Conceal(frame);
        Assert.All(frame, sample => Assert.Equal(0, sample));
    }

    [Fact]
    public void An_odd_length_payload_is_corrupt_not_an_exception()
    {
        using var decoder = new L16FrameDecoder();
        Assert.Equal(0, decoder.Decode(new byte[3], new short[AudioFormat.MixFrameSamples]));
    }

    [Fact]
    public void An_inbound_L16_stream_plays_out_the_exact_samples_on_the_48kHz_clock()
    {
        const byte payloadType = 118;
        using var stream = new InboundAudioStream(AudioCodec.L16, payloadType, jitterBufferOptions: new JitterBufferOptions { InitialDelayFrames = 2 });
        using var encoder = new L16FrameEncoder(EncoderProfile.L16);
        var sent = new List<short[]>();
        var payload = new byte[AudioFormat.L16FrameBytes];
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < 4; i++)
        {
            short[] pcm = Signals.Sine(AudioFormat.MixFrameSamples, 1000, 8000, AudioFormat.MixSampleRate, i * 960L);
            sent.Add(pcm);
            encoder.Encode(pcm, payload);
            byte[] packet = RtpPackets.Build(payloadType, (ushort)(100 + i), 5000u + (uint)(i * 960), 0x1234, payload);
            Assert.Equal(InboundPacketKind.Audio, stream.OnPacket(packet, now, out _));
        }

        var frame = new short[AudioFormat.MixFrameSamples];
        var played = new List<short[]>();
        for (int tick = 0; tick < 8 && played.Count < 4; tick++)
        {
            if (stream.PullFrame(frame) == FrameSource.Decoded)
            {
                played.Add(frame.ToArray());
            }
        }

        Assert.Equal(sent, played);
        Assert.Equal(0, stream.Statistics.PacketsLost);
        Assert.Equal(48_000, RtpSendState.ForCodec(AudioCodec.L16).ClockRate);
        Assert.Equal(960, RtpSendState.ForCodec(AudioCodec.L16).SamplesPerFrame);
    }
}
