namespace ConferenceCluster.Media.Codecs.Resampling;

/// <summary>
/// Streaming 48 kHz → 8 kHz resampler for G.711 legs: the <see cref="TelephonyBandFilter"/> anti-aliasing FIR
/// evaluated only at every sixth input sample (decimation by 6). Keeps 191 samples of history between calls.
/// One instance per outgoing stream (or per shared G.711 encode); allocation-free after construction.
/// </summary>
public sealed class Downsampler48kTo8k
{
    private const int Factor = TelephonyBandFilter.Factor;
    private const int FilterLength = TelephonyBandFilter.Length;
    private const int HistorySamples = FilterLength - 1;

    /// <summary>Wideband samples filtered per inner block: one 20 ms frame.</summary>
    private const int BlockSamples = AudioFormat.MixFrameSamples;

    /// <summary>The filter reversed, so each output is a forward dot product with the window.</summary>
    private static readonly float[] ReversedTaps = BuildReversedTaps();

    /// <summary>History followed by the current block of wideband input, as float.</summary>
    private readonly float[] _widebandWindow = new float[HistorySamples + BlockSamples];

    /// <summary>Group delay added to the signal, in 48 kHz samples (95, i.e. about 2 ms).</summary>
    public static int DelaySamples => TelephonyBandFilter.DelaySamples48k;

    /// <summary>
    /// Downsamples <paramref name="widebandPcm"/> (48 kHz, a multiple of 6 samples: any 2.5 ms multiple is) into
    /// <paramref name="narrowbandPcm"/> (8 kHz), which must hold exactly a sixth as many samples.
    /// </summary>
    public void Process(ReadOnlySpan<short> widebandPcm, Span<short> narrowbandPcm)
    {
        if (widebandPcm.Length % Factor != 0 || narrowbandPcm.Length != widebandPcm.Length / Factor)
        {
            throw new ArgumentException(
                $"48 kHz input must be a multiple of {Factor} samples and 8 kHz output a sixth of it; got {widebandPcm.Length} and {narrowbandPcm.Length}.",
                nameof(narrowbandPcm));
        }

        while (!widebandPcm.IsEmpty)
        {
            int count = Math.Min(BlockSamples, widebandPcm.Length);
            ProcessBlock(widebandPcm[..count], narrowbandPcm[..(count / Factor)]);
            widebandPcm = widebandPcm[count..];
            narrowbandPcm = narrowbandPcm[(count / Factor)..];
        }
    }

    /// <summary>Forgets the history (a new stream starts from silence).</summary>
    public void Reset() => Array.Clear(_widebandWindow);

    private void ProcessBlock(ReadOnlySpan<short> widebandPcm, Span<short> narrowbandPcm)
    {
        Span<float> window = _widebandWindow;
        for (int i = 0; i < widebandPcm.Length; i++)
        {
            window[HistorySamples + i] = widebandPcm[i];
        }

        for (int m = 0; m < narrowbandPcm.Length; m++)
        {
            // Output m is aligned with input sample 6m + 5 of this block, the last of its six.
            ReadOnlySpan<float> neighbourhood = window.Slice(m * Factor + (Factor - 1), FilterLength);
            narrowbandPcm[m] = TelephonyBandFilter.ToSample(TelephonyBandFilter.Dot(ReversedTaps, neighbourhood));
        }

        window.Slice(widebandPcm.Length, HistorySamples).CopyTo(window);
    }

    private static float[] BuildReversedTaps()
    {
        float[] h = TelephonyBandFilter.Coefficients;
        var reversed = new float[FilterLength];
        for (int n = 0; n < FilterLength; n++)
        {
            reversed[FilterLength - 1 - n] = h[n];
        }

        return reversed;
    }
}
