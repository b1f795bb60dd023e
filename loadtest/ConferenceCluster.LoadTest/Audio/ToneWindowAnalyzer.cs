namespace ConferenceCluster.LoadTest.Audio;

/// <summary>
/// Listens for a fixed set of tones in decoded audio: runs one Goertzel filter per tone over windows of whole
/// frames and reports, per window, which tones were there. A window is only complete when it was fed without a
/// gap (<see cref="Reset"/> discards a partial one), so missing packets never look like a missing talker.
/// Not thread-safe: one participant's receive loop owns it.
/// </summary>
public sealed class ToneWindowAnalyzer
{
    private readonly double[] _coefficients;
    private readonly double[] _previous;
    private readonly double[] _beforePrevious;
    private int _samples;

    /// <param name="frequenciesHz">The tones to watch (at most 32: the result is a bit mask).</param>
    /// <param name="windowSamples">Samples per window; a multiple of one frame keeps 50 Hz tones orthogonal.</param>
    /// <param name="presentAmplitude">The estimated peak amplitude from which a tone counts as present.</param>
    /// <param name="absentAmplitude">The estimated peak amplitude below which a tone counts as absent; between the two the window is ambiguous.</param>
    public ToneWindowAnalyzer(IReadOnlyList<int> frequenciesHz, int sampleRate, int windowSamples, double presentAmplitude, double absentAmplitude)
    {
        if (frequenciesHz.Count is 0 or > 32) throw new ArgumentOutOfRangeException(nameof(frequenciesHz), frequenciesHz.Count, "Watch between 1 and 32 tones.");
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSamples, 1);
        if (absentAmplitude > presentAmplitude) throw new ArgumentException("The absent threshold must not exceed the present threshold.", nameof(absentAmplitude));
        Frequencies = frequenciesHz;
        WindowSamples = windowSamples;
        PresentAmplitude = presentAmplitude;
        AbsentAmplitude = absentAmplitude;
        _coefficients = frequenciesHz.Select(f => 2 * Math.Cos(2 * Math.PI * f / sampleRate)).ToArray();
        _previous = new double[frequenciesHz.Count];
        _beforePrevious = new double[frequenciesHz.Count];
    }

    public IReadOnlyList<int> Frequencies { get; }

    public int WindowSamples { get; }

    public double PresentAmplitude { get; }

    public double AbsentAmplitude { get; }

    /// <summary>Feeds samples; returns a result each time a window completes (at most one per call when frames are shorter than windows).</summary>
    public ToneWindow? Add(ReadOnlySpan<short> samples)
    {
        ToneWindow? completed = null;
        foreach (var sample in samples)
        {
            for (var t = 0; t < _coefficients.Length; t++)
            {
                var current = sample + _coefficients[t] * _previous[t] - _beforePrevious[t];
                _beforePrevious[t] = _previous[t];
                _previous[t] = current;
            }
            if (++_samples == WindowSamples) completed = Complete();
        }
        return completed;
    }

    /// <summary>Drops a partial window (after a gap or a change of media source).</summary>
    public void Reset()
    {
        Array.Clear(_previous);
        Array.Clear(_beforePrevious);
        _samples = 0;
    }

    /// <summary>The peak amplitude a steady tone of that amplitude gives: 2|X|/N from the Goertzel power.</summary>
    private double Amplitude(int t)
    {
        var c = _coefficients[t];
        var power = _previous[t] * _previous[t] + _beforePrevious[t] * _beforePrevious[t] - c * _previous[t] * _beforePrevious[t];
        return 2 * Math.Sqrt(Math.Max(power, 0)) / WindowSamples;
    }

    private ToneWindow Complete()
    {
        uint present = 0, ambiguous = 0;
        for (var t = 0; t < _coefficients.Length; t++)
        {
            var amplitude = Amplitude(t);
            if (amplitude >= PresentAmplitude) present |= 1u << t;
            else if (amplitude > AbsentAmplitude) ambiguous |= 1u << t;
        }
        Reset();
        return new ToneWindow(present, ambiguous);
    }
}

/// <summary>One analysed window: bit t of <see cref="Present"/> is set when tone t was clearly there, of <see cref="Ambiguous"/> when it was neither clearly there nor clearly absent.</summary>
public readonly record struct ToneWindow(uint Present, uint Ambiguous);
