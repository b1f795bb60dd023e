namespace ConferenceCluster.Media.Tests.Support;

/// <summary>
/// Goertzel's single-bin DFT: the amplitude of one frequency in a block of samples. Exact for a tone with a
/// whole number of cycles in the block; otherwise it leaks, so tests pick block lengths accordingly.
/// </summary>
internal static class Goertzel
{
    /// <summary>Estimated peak amplitude (in sample units) of the sinusoid at <paramref name="frequency"/>.</summary>
    public static double Amplitude(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (short sample in samples)
        {
            double current = sample + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }

        double power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        return 2 * Math.Sqrt(Math.Max(power, 0)) / samples.Length;
    }

    /// <summary>The frequency among <paramref name="candidates"/> with the largest amplitude.</summary>
    public static double DominantFrequency(ReadOnlySpan<short> samples, int sampleRate, IEnumerable<double> candidates)
    {
        double best = double.NaN, bestAmplitude = -1;
        foreach (double frequency in candidates)
        {
            double amplitude = Amplitude(samples, frequency, sampleRate);
            if (amplitude > bestAmplitude)
            {
                bestAmplitude = amplitude;
                best = frequency;
            }
        }

        return best;
    }

    /// <summary>50 Hz steps from 100 Hz up to <paramref name="maxHz"/>.</summary>
    public static IEnumerable<double> Grid(double maxHz)
    {
        for (double frequency = 100; frequency <= maxHz; frequency += 50)
        {
            yield return frequency;
        }
    }
}
