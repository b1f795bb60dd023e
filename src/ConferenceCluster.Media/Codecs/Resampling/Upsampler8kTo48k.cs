namespace ConferenceCluster.Media.Codecs.Resampling;

/// <summary>
/// Streaming 8 kHz → 48 kHz resampler for G.711 legs: a 6-phase polyphase FIR (see <see cref="TelephonyBandFilter"/>
/// for the design and quality). Keeps 31 samples of history between calls, so consecutive frames join without a
/// seam. One instance per incoming stream; allocation-free after construction.
/// </summary>
public sealed class Upsampler8kTo48k
{
    private const int Factor = TelephonyBandFilter.Factor;
    private const int TapsPerPhase = TelephonyBandFilter.TapsPerPhase;
    private const int HistorySamples = TapsPerPhase - 1;

    /// <summary>Narrowband samples filtered per inner block: one 20 ms frame.</summary>
    private const int BlockSamples = AudioFormat.NarrowbandFrameSamples;

    /// <summary>
    /// Branch p holds taps h[6k + p]·6 for k = 31..0 (reversed, so each output is a forward dot product with the
    /// window), the ×6 restoring the energy the zero-stuffing spreads over six outputs.
    /// </summary>
    private static readonly float[][] PhaseTaps = BuildPhaseTaps();

    /// <summary>History followed by the current block of narrowband input, as float.</summary>
    private readonly float[] _narrowbandWindow = new float[HistorySamples + BlockSamples];

    /// <summary>Group delay added to the signal, in 48 kHz samples (95, i.e. about 2 ms).</summary>
    public static int DelaySamples => TelephonyBandFilter.DelaySamples48k;

    /// <summary>
    /// Upsamples <paramref name="narrowbandPcm"/> (8 kHz) into <paramref name="widebandPcm"/> (48 kHz), which must
    /// hold exactly six times as many samples.
    /// </summary>
    public void Process(ReadOnlySpan<short> narrowbandPcm, Span<short> widebandPcm)
    {
        if (widebandPcm.Length != narrowbandPcm.Length * Factor)
        {
            throw new ArgumentException(
                $"48 kHz output must hold {narrowbandPcm.Length * Factor} samples for {narrowbandPcm.Length} at 8 kHz, not {widebandPcm.Length}.",
                nameof(widebandPcm));
        }

        while (!narrowbandPcm.IsEmpty)
        {
            int count = Math.Min(BlockSamples, narrowbandPcm.Length);
            ProcessBlock(narrowbandPcm[..count], widebandPcm[..(count * Factor)]);
            narrowbandPcm = narrowbandPcm[count..];
            widebandPcm = widebandPcm[(count * Factor)..];
        }
    }

    /// <summary>Forgets the history (a new stream starts from silence).</summary>
    public void Reset() => Array.Clear(_narrowbandWindow);

    private void ProcessBlock(ReadOnlySpan<short> narrowbandPcm, Span<short> widebandPcm)
    {
        Span<float> window = _narrowbandWindow;
        for (int i = 0; i < narrowbandPcm.Length; i++)
        {
            window[HistorySamples + i] = narrowbandPcm[i];
        }

        for (int n = 0; n < narrowbandPcm.Length; n++)
        {
            // Input sample n sits at window[HistorySamples + n]; its 32-sample neighbourhood ends there.
            ReadOnlySpan<float> neighbourhood = window.Slice(n, TapsPerPhase);
            for (int phase = 0; phase < Factor; phase++)
            {
                widebandPcm[n * Factor + phase] = TelephonyBandFilter.ToSample(TelephonyBandFilter.Dot(PhaseTaps[phase], neighbourhood));
            }
        }

        window.Slice(narrowbandPcm.Length, HistorySamples).CopyTo(window);
    }

    private static float[][] BuildPhaseTaps()
    {
        float[] h = TelephonyBandFilter.Coefficients;
        var phases = new float[Factor][];
        for (int phase = 0; phase < Factor; phase++)
        {
            phases[phase] = new float[TapsPerPhase];
            for (int k = 0; k < TapsPerPhase; k++)
            {
                phases[phase][TapsPerPhase - 1 - k] = h[k * Factor + phase] * Factor;
            }
        }

        return phases;
    }
}
