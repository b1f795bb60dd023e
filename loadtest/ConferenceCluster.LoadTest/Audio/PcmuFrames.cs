using ConferenceCluster.Media.Codecs.G711;

namespace ConferenceCluster.LoadTest.Audio;

/// <summary>
/// G.711 µ-law frames encoded once and then only sent: 20 ms (160 samples at 8 kHz) of a tone from the
/// <see cref="ToneFrequencyPlan"/> repeats seamlessly, so one frame per frequency is all a talker needs.
/// </summary>
public static class PcmuFrames
{
    public const int SampleRate = 8000;

    public const int SamplesPerFrame = 160;

    public const byte PayloadType = 0;

    /// <summary>Peak level of a tone: about −18 dBFS, so four talkers sum without clipping.</summary>
    public const short ToneAmplitude = 4000;

    private static readonly Dictionary<int, byte[]> Tones = new();

    /// <summary>Digital silence: below the mixer's silence threshold, so a silent participant never enters the speaker set.</summary>
    public static byte[] Silence { get; } = CreateSilence();

    /// <summary>One frame of <paramref name="frequencyHz"/> (a multiple of 50 Hz). Encoded once per frequency and shared.</summary>
    public static byte[] Tone(int frequencyHz)
    {
        if (frequencyHz % ToneFrequencyPlan.StepHz != 0) throw new ArgumentOutOfRangeException(nameof(frequencyHz), frequencyHz, "A tone must be a multiple of 50 Hz to repeat every 20 ms.");
        lock (Tones)
        {
            if (Tones.TryGetValue(frequencyHz, out var frame)) return frame;
            var pcm = new short[SamplesPerFrame];
            for (var i = 0; i < pcm.Length; i++)
                pcm[i] = (short)Math.Round(ToneAmplitude * Math.Sin(2 * Math.PI * frequencyHz * i / SampleRate));
            frame = new byte[SamplesPerFrame];
            G711MuLaw.Encode(pcm, frame);
            Tones[frequencyHz] = frame;
            return frame;
        }
    }

    private static byte[] CreateSilence()
    {
        var frame = new byte[SamplesPerFrame];
        G711MuLaw.Encode(new short[SamplesPerFrame], frame);
        return frame;
    }
}
