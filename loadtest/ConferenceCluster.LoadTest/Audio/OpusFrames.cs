using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.LoadTest.Audio;

/// <summary>
/// Opus frames encoded once and then only sent, shared by every participant sending the same tone: one second (50
/// frames) of each <see cref="ToneFrequencyPlan"/> tone, 48 kHz mono, voice, 32 kbit/s, which loops seamlessly (a
/// multiple of 50 Hz is a whole number of cycles per frame), plus the one-byte DTX packet a silent sender sends every
/// 400 ms. So a machine drives thousands of Opus senders without encoding anything during the run.
/// </summary>
public static class OpusFrames
{
    public const int SampleRate = 48_000;

    public const int SamplesPerFrame = 960;

    /// <summary>Frames in one pre-encoded loop (1 s).</summary>
    public const int LoopFrames = 50;

    /// <summary>A silent DTX sender sends one packet every this many frames (400 ms, as libopus).</summary>
    public const int DtxIntervalFrames = 20;

    /// <summary>The RFC 6464 level of a tone frame: the tone's −18 dBFS peak is about −21 dBov RMS.</summary>
    public static readonly AudioLevel ToneLevel = new(21, true);

    /// <summary>The RFC 6464 level of silence.</summary>
    public static readonly AudioLevel SilenceLevel = new(127, false);

    private static readonly Dictionary<int, byte[][]> Tones = new();
    private static byte[][]? s_silence;

    /// <summary>A DTX (comfort-noise) packet: a TOC byte with no coded audio (SILK wideband 20 ms, code 0).</summary>
    public static byte[] Dtx { get; } = [0x48];

    /// <summary>The loop of <paramref name="frequencyHz"/> at <see cref="PcmuFrames.ToneAmplitude"/>; encoded once per frequency and shared.</summary>
    public static byte[][] Tone(int frequencyHz)
    {
        if (frequencyHz % ToneFrequencyPlan.StepHz != 0) throw new ArgumentOutOfRangeException(nameof(frequencyHz), frequencyHz, "A tone must be a multiple of 50 Hz to loop every frame.");
        lock (Tones)
        {
            if (!Tones.TryGetValue(frequencyHz, out var frames))
            {
                frames = Encode(s => PcmuFrames.ToneAmplitude * Math.Sin(2 * Math.PI * frequencyHz * s / SampleRate));
                Tones[frequencyHz] = frames;
            }
            return frames;
        }
    }

    /// <summary>Encoded digital silence, for a silent sender without DTX (a frame every 20 ms).</summary>
    public static byte[][] Silence
    {
        get
        {
            lock (Tones) return s_silence ??= Encode(_ => 0);
        }
    }

    private static byte[][] Encode(Func<long, double> signal)
    {
        using var encoder = new OpusFrameEncoder(EncoderProfile.ForOpus(bitrateBps: 32_000, complexity: 10));
        var pcm = new short[SamplesPerFrame];
        var buffer = new byte[1500];
        var frames = new byte[LoopFrames][];
        // One loop of pre-roll so the encoder is in its steady state, then the loop that is sent.
        for (var frame = 0; frame < 2 * LoopFrames; frame++)
        {
            for (var s = 0; s < pcm.Length; s++) pcm[s] = (short)Math.Round(signal((long)frame * SamplesPerFrame + s));
            var bytes = encoder.Encode(pcm, buffer);
            if (frame >= LoopFrames) frames[frame - LoopFrames] = buffer.AsSpan(0, bytes).ToArray();
        }
        return frames;
    }
}
