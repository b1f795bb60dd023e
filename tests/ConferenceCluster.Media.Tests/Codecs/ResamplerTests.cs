using ConferenceCluster.Media.Codecs.Resampling;
using ConferenceCluster.Media.Tests.Support;

namespace ConferenceCluster.Media.Tests.Codecs;

public sealed class ResamplerTests
{
    private const int Seconds = 1;

    [Theory]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(3000)]
    public void Upsampling_keeps_a_tone_and_its_frequency(int frequency)
    {
        short[] narrowband = Signals.Sine(Seconds * AudioFormat.NarrowbandSampleRate, frequency, 10_000, AudioFormat.NarrowbandSampleRate);
        short[] wideband = UpsampleInFrames(narrowband);

        ReadOnlySpan<short> steady = wideband.AsSpan(wideband.Length / 2); // 0.5 s: whole cycles for every test tone
        Assert.Equal(frequency, Goertzel.DominantFrequency(steady, AudioFormat.MixSampleRate, Goertzel.Grid(20_000).Append(frequency)));
        Assert.InRange(Signals.Db(Goertzel.Amplitude(steady, frequency, AudioFormat.MixSampleRate) / 10_000), -0.1, 0.1);

        // The images a zero-order hold would leave at 8 kHz ± f are removed.
        Assert.True(Signals.Db(Goertzel.Amplitude(steady, 8000 - frequency, AudioFormat.MixSampleRate) / 10_000) < -60);
        Assert.True(Signals.Db(Goertzel.Amplitude(steady, 8000 + frequency, AudioFormat.MixSampleRate) / 10_000) < -60);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(3000)]
    public void Downsampling_keeps_a_tone_and_its_frequency(int frequency)
    {
        short[] wideband = Signals.Sine(Seconds * AudioFormat.MixSampleRate, frequency, 10_000, AudioFormat.MixSampleRate);
        short[] narrowband = DownsampleInFrames(wideband);

        ReadOnlySpan<short> steady = narrowband.AsSpan(narrowband.Length / 2);
        Assert.Equal(frequency, Goertzel.DominantFrequency(steady, AudioFormat.NarrowbandSampleRate, Goertzel.Grid(3950).Append(frequency)));
        Assert.InRange(Signals.Db(Goertzel.Amplitude(steady, frequency, AudioFormat.NarrowbandSampleRate) / 10_000), -0.1, 0.1);
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(6500)]
    [InlineData(12_000)]
    public void Downsampling_rejects_what_would_alias(int frequency)
    {
        short[] wideband = Signals.Sine(Seconds * AudioFormat.MixSampleRate, frequency, 10_000, AudioFormat.MixSampleRate);
        short[] narrowband = DownsampleInFrames(wideband);

        // Without the filter the tone would fold to |f − k·8000| inside 0–4 kHz at full level.
        Assert.True(Signals.Db(Signals.Rms(narrowband.AsSpan(narrowband.Length / 2)) / (10_000 / Math.Sqrt(2))) < -60);
    }

    [Fact]
    public void Frame_by_frame_processing_is_seamless()
    {
        short[] narrowband = Signals.Sine(1600, 440, 12_000, AudioFormat.NarrowbandSampleRate);
        var whole = new short[narrowband.Length * 6];
        new Upsampler8kTo48k().Process(narrowband, whole);
        Assert.Equal(whole, UpsampleInFrames(narrowband));

        var wholeDown = new short[narrowband.Length];
        new Downsampler48kTo8k().Process(whole, wholeDown);
        Assert.Equal(wholeDown, DownsampleInFrames(whole));
    }

    [Fact]
    public void Round_trip_48k_to_8k_to_48k_keeps_a_telephony_tone()
    {
        short[] wideband = Signals.Sine(Seconds * AudioFormat.MixSampleRate, 1000, 10_000, AudioFormat.MixSampleRate);
        short[] back = UpsampleInFrames(DownsampleInFrames(wideband));
        ReadOnlySpan<short> steady = back.AsSpan(back.Length / 2);
        Assert.InRange(Signals.Db(Goertzel.Amplitude(steady, 1000, AudioFormat.MixSampleRate) / 10_000), -0.1, 0.1);
        Assert.Equal(190, Upsampler8kTo48k.DelaySamples + Downsampler48kTo8k.DelaySamples);
    }

    [Fact]
    public void Filter_response_is_flat_in_the_telephony_band_and_deep_in_the_stopband()
    {
        for (double frequency = 0; frequency <= 3400; frequency += 25)
        {
            Assert.InRange(ResponseDb(frequency), -0.01, 0.01);
        }

        for (double frequency = 4600; frequency <= 24_000; frequency += 25)
        {
            Assert.True(ResponseDb(frequency) < -70, $"{frequency} Hz: {ResponseDb(frequency):F1} dB");
        }

        Assert.InRange(ResponseDb(4000), -6.1, -5.9);
    }

    [Fact]
    public void Lengths_that_do_not_match_the_ratio_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Upsampler8kTo48k().Process(new short[160], new short[959]));
        Assert.Throws<ArgumentException>(() => new Downsampler48kTo8k().Process(new short[961], new short[160]));
    }

    private static double ResponseDb(double frequency)
    {
        double real = 0, imaginary = 0;
        float[] taps = TelephonyBandFilter.Coefficients;
        for (int n = 0; n < taps.Length; n++)
        {
            double phase = 2 * Math.PI * frequency * n / AudioFormat.MixSampleRate;
            real += taps[n] * Math.Cos(phase);
            imaginary -= taps[n] * Math.Sin(phase);
        }

        return 10 * Math.Log10(real * real + imaginary * imaginary);
    }

    private static short[] UpsampleInFrames(short[] narrowband)
    {
        var upsampler = new Upsampler8kTo48k();
        var wideband = new short[narrowband.Length * 6];
        for (int offset = 0; offset < narrowband.Length; offset += AudioFormat.NarrowbandFrameSamples)
        {
            upsampler.Process(narrowband.AsSpan(offset, AudioFormat.NarrowbandFrameSamples), wideband.AsSpan(offset * 6, AudioFormat.MixFrameSamples));
        }

        return wideband;
    }

    private static short[] DownsampleInFrames(short[] wideband)
    {
        var downsampler = new Downsampler48kTo8k();
        var narrowband = new short[wideband.Length / 6];
        for (int offset = 0; offset < wideband.Length; offset += AudioFormat.MixFrameSamples)
        {
            downsampler.Process(wideband.AsSpan(offset, AudioFormat.MixFrameSamples), narrowband.AsSpan(offset / 6, AudioFormat.NarrowbandFrameSamples));
        }

        return narrowband;
    }
}
