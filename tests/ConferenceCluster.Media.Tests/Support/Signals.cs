namespace ConferenceCluster.Media.Tests.Support;

/// <summary>Test signals and level measurements.</summary>
internal static class Signals
{
    /// <summary>A sine of <paramref name="amplitude"/> at <paramref name="frequency"/>, continuing from sample index <paramref name="startSample"/>.</summary>
    public static short[] Sine(int length, double frequency, double amplitude, int sampleRate, long startSample = 0)
    {
        var samples = new short[length];
        for (int i = 0; i < length; i++)
        {
            samples[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * (startSample + i) / sampleRate));
        }

        return samples;
    }

    /// <summary>Constant frame (a DC level): makes mix arithmetic easy to read in tests.</summary>
    public static short[] Constant(int length, short value)
    {
        var samples = new short[length];
        Array.Fill(samples, value);
        return samples;
    }

    /// <summary>Uniform random samples in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static short[] Random(Random random, int length, int min = short.MinValue, int max = short.MaxValue)
    {
        var samples = new short[length];
        for (int i = 0; i < length; i++)
        {
            samples[i] = (short)random.Next(min, max + 1);
        }

        return samples;
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short sample in samples)
        {
            sum += (double)sample * sample;
        }

        return samples.IsEmpty ? 0 : Math.Sqrt(sum / samples.Length);
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);
}
