using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.G711;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Codecs;

public sealed class G711Tests
{
    // Values of the ITU-T G.711 tables (reference Sun/CCITT g711.c; negative μ-law input as in ITU-T G.191 STL).
    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(-1, 0x7F)]
    [InlineData(1000, 0xCE)]
    [InlineData(-1000, 0x4E)]
    [InlineData(-8, 0x7E)]
    public void MuLaw_encodes_known_values(short sample, int code) => Assert.Equal((byte)code, G711MuLaw.Encode(sample));

    [Theory]
    [InlineData(0x00, -32124)]
    [InlineData(0x80, 32124)]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0xFE, 8)]
    [InlineData(0xCE, 988)]
    [InlineData(0x7E, -8)]
    public void MuLaw_decodes_known_values(int code, short sample) => Assert.Equal(sample, G711MuLaw.Decode((byte)code));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    [InlineData(1000, 0xFA)]
    public void ALaw_encodes_known_values(short sample, int code) => Assert.Equal((byte)code, G711ALaw.Encode(sample));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xFA, 1008)]
    public void ALaw_decodes_known_values(int code, short sample) => Assert.Equal(sample, G711ALaw.Decode((byte)code));

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (int code = 0; code < 256; code++)
        {
            // μ-law has two zeros (0xFF and 0x7F, "negative zero"); both decode to 0, which encodes as 0xFF.
            int expectedMu = code == 0x7F ? 0xFF : code;
            Assert.Equal(expectedMu, G711MuLaw.Encode(G711MuLaw.Decode((byte)code)));
            Assert.Equal(code, G711ALaw.Encode(G711ALaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void Tables_agree_with_the_reference_algorithm_for_every_sample()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            Assert.Equal(G711MuLaw.EncodeReference((short)sample), G711MuLaw.Encode((short)sample));
            Assert.Equal(G711ALaw.EncodeReference((short)sample), G711ALaw.Encode((short)sample));
        }
    }

    [Fact]
    public void Round_trip_error_stays_within_half_a_quantisation_step()
    {
        // The largest step is 1024 (top segment), so within the coded range no sample is off by more than half of
        // it plus the 2 (μ) or 3 (A) low bits the 14-/13-bit companders drop; relative error stays near 1/32.
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            int magnitude = Math.Abs(sample);
            int muError = Math.Abs(G711MuLaw.Decode(G711MuLaw.Encode((short)sample)) - sample);
            int aError = Math.Abs(G711ALaw.Decode(G711ALaw.Encode((short)sample)) - sample);
            if (magnitude <= 32124)
            {
                Assert.True(muError <= 516, $"μ-law error {muError} at {sample}");
                Assert.True(magnitude < 256 || muError <= magnitude / 16, $"μ-law relative error at {sample}");
            }

            if (magnitude <= 32256)
            {
                Assert.True(aError <= 512, $"A-law error {aError} at {sample}");
                Assert.True(magnitude < 256 || aError <= magnitude / 16, $"A-law relative error at {sample}");
            }
        }
    }

    [Fact]
    public void A_speech_level_tone_keeps_about_38_dB_signal_to_noise()
    {
        short[] tone = Signals.Sine(8000, 1000, 8000, AudioFormat.NarrowbandSampleRate);
        var payload = new byte[tone.Length];
        var decoded = new short[tone.Length];

        G711MuLaw.Encode(tone, payload);
        G711MuLaw.Decode(payload, decoded);
        Assert.True(SignalToNoiseDb(tone, decoded) > 35);

        G711ALaw.Encode(tone, payload);
        G711ALaw.Decode(payload, decoded);
        Assert.True(SignalToNoiseDb(tone, decoded) > 35);
    }

    [Fact]
    public void Span_api_rejects_short_buffers()
    {
        Assert.Throws<ArgumentException>(() => G711MuLaw.Encode(new short[160], new byte[159]));
        Assert.Throws<ArgumentException>(() => G711ALaw.Decode(new byte[160], new short[10]));
    }

    [Fact]
    public void Frame_codecs_carry_a_tone_from_48kHz_through_PCMU_and_back()
    {
        using IAudioFrameEncoder encoder = AudioFrameCodecs.CreateEncoder(EncoderProfile.Pcmu);
        using IAudioFrameDecoder decoder = AudioFrameCodecs.CreateDecoder(AudioCodec.Pcmu);
        var payload = new byte[AudioFormat.MaxEncodedFrameBytes];
        var decoded = new short[50 * AudioFormat.MixFrameSamples];
        for (int frame = 0; frame < 50; frame++)
        {
            short[] tone = Signals.Sine(AudioFormat.MixFrameSamples, 1000, 10_000, AudioFormat.MixSampleRate, (long)frame * AudioFormat.MixFrameSamples);
            int bytes = encoder.Encode(tone, payload);
            Assert.Equal(AudioFormat.NarrowbandFrameSamples, bytes);
            Assert.Equal(AudioFormat.MixFrameSamples, decoder.Decode(payload.AsSpan(0, bytes), decoded.AsSpan(frame * AudioFormat.MixFrameSamples, AudioFormat.MixFrameSamples)));
        }

        ReadOnlySpan<short> steady = decoded.AsSpan(25 * AudioFormat.MixFrameSamples);
        Assert.Equal(1000, Goertzel.DominantFrequency(steady, AudioFormat.MixSampleRate, Goertzel.Grid(8000)));
        Assert.InRange(Signals.Db(Goertzel.Amplitude(steady, 1000, AudioFormat.MixSampleRate) / 10_000), -0.5, 0.5);

        // A loss fades out through the upsampler instead of stopping dead.
        var concealed = new short[AudioFormat.MixFrameSamples];
        Assert.Equal(AudioFormat.MixFrameSamples, decoder.Conceal(concealed));
        Assert.NotEqual(0, concealed[0]);
        Assert.Equal(0, concealed[^1]);
    }

    private static double SignalToNoiseDb(ReadOnlySpan<short> original, ReadOnlySpan<short> decoded)
    {
        double signal = 0, noise = 0;
        for (int i = 0; i < original.Length; i++)
        {
            signal += (double)original[i] * original[i];
            double error = decoded[i] - original[i];
            noise += error * error;
        }

        return 10 * Math.Log10(signal / noise);
    }
}
