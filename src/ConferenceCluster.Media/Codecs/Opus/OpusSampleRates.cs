namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>The PCM rates and channel counts the libopus API accepts.</summary>
internal static class OpusSampleRates
{
    internal static bool IsSupported(int sampleRate) =>
        sampleRate is 8_000 or 12_000 or 16_000 or 24_000 or 48_000;

    internal static void ThrowIfUnsupported(int sampleRate, int channels)
    {
        if (!IsSupported(sampleRate))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "Opus PCM runs at 8000, 12000, 16000, 24000 or 48000 Hz.");
        }

        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Opus PCM has 1 or 2 channels.");
        }
    }
}
