using System.Diagnostics;
using ConferenceCluster.Media.Codecs.Opus;

namespace ConferenceCluster.Media.Capacity;

/// <summary>Tunables of the startup capacity check.</summary>
public sealed class MediaCapacityCheckOptions
{
    /// <summary>How long the check runs; it is CPU work on one thread, done once at silo start.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Cores the media workers may use (the check measures one and scales).</summary>
    public int Cores { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Share of the measured codec throughput the node promises: the rest is left for RTP, jitter buffers, mixing,
    /// signalling and the grains. 0.6 keeps a node that reports full below the point where its ticks run late.
    /// </summary>
    public double Headroom { get; set; } = 0.6;
}

/// <summary>What the capacity check found.</summary>
public sealed record MediaCapacityEstimate(long AudioCalls, double MicrosecondsPerCallFrame, int Cores, TimeSpan Measured);

/// <summary>
/// Pexip's startup capacity check (seed R60, L1185): "On startup, each Conferencing Node runs an internal capacity
/// check", translated into an estimated maximum number of calls. Ours times the per-participant codec floor of an
/// audio call (one Opus decode of a received frame plus one Opus encode of a 20 ms mix, the work a conference
/// does per participant and frame in the worst case) on this machine, and turns it into audio calls over all cores.
/// </summary>
public static class MediaCapacityCheck
{
    public static MediaCapacityEstimate Run(MediaCapacityCheckOptions? options = null)
    {
        options ??= new MediaCapacityCheckOptions();
        using var encoder = new OpusEncoder { Complexity = 4, Signal = OpusSignal.Voice };
        using var decoder = new OpusDecoder();
        Span<short> voice = stackalloc short[AudioFormat.MixFrameSamples];
        Span<short> decoded = stackalloc short[AudioFormat.MixFrameSamples];
        Span<byte> packet = stackalloc byte[AudioFormat.MaxEncodedFrameBytes];
        Span<byte> encoded = stackalloc byte[AudioFormat.MaxEncodedFrameBytes];
        var phase = 0.0;
        for (var i = 0; i < voice.Length; i++, phase += 2 * Math.PI * 440 / AudioFormat.MixSampleRate)
            voice[i] = (short)(8000 * Math.Sin(phase));
        var packetLength = encoder.Encode(voice, packet);

        // Warm up (JIT, libopus tables), then count call-frames until the time is up.
        for (var i = 0; i < 20; i++) CallFrame(decoder, encoder, packet[..packetLength], decoded, encoded);
        var stopwatch = Stopwatch.StartNew();
        long frames = 0;
        while (stopwatch.Elapsed < options.Duration)
        {
            CallFrame(decoder, encoder, packet[..packetLength], decoded, encoded);
            frames++;
        }
        var perFrame = stopwatch.Elapsed.TotalMicroseconds / frames;
        var callsPerCore = AudioFormat.FrameMilliseconds * 1000.0 / perFrame;
        var audioCalls = (long)Math.Floor(callsPerCore * options.Cores * options.Headroom);
        return new MediaCapacityEstimate(Math.Max(1, audioCalls), perFrame, options.Cores, stopwatch.Elapsed);
    }

    private static void CallFrame(OpusDecoder decoder, OpusEncoder encoder, ReadOnlySpan<byte> packet, Span<short> decoded, Span<byte> encoded)
    {
        decoder.Decode(packet, decoded);
        encoder.Encode(decoded, encoded);
    }
}
