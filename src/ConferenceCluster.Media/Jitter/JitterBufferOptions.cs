namespace ConferenceCluster.Media.Jitter;

/// <summary>Settings of each incoming stream's <see cref="JitterBuffer"/>. Delays are in 20 ms frames.</summary>
public sealed class JitterBufferOptions
{
    /// <summary>Packet slots (a power of two, default 32 = 640 ms): bounds reordering and the largest delay.</summary>
    public int Capacity { get; init; } = 32;

    /// <summary>Smallest target delay (default 2 frames = 40 ms; the worker reads sockets once per tick, so one frame is already spent there).</summary>
    public int MinDelayFrames { get; init; } = 2;

    /// <summary>Largest target delay however bad the jitter (default 10 frames = 200 ms, the edge of conversational delay).</summary>
    public int MaxDelayFrames { get; init; } = 10;

    /// <summary>Target delay before any jitter has been measured (default 3 frames = 60 ms).</summary>
    public int InitialDelayFrames { get; init; } = 3;

    /// <summary>
    /// Target delay = <see cref="MinDelayFrames"/> + this × measured jitter (RFC 3550 A.8, a mean deviation),
    /// rounded up to frames. Default 3: covers nearly all of a roughly normal arrival spread.
    /// </summary>
    public double JitterMultiplier { get; init; } = 3.0;

    /// <summary>
    /// When the buffer runs dry, conceal this many frames (default 5 = 100 ms) before declaring the stream silent
    /// and re-buffering; a silent stream is not decoded and the mixer skips it.
    /// </summary>
    public int MaxConcealedFrames { get; init; } = 5;

    /// <summary>
    /// The buffer drops one frame when it has held more than target + 1 frames for this many ticks in a row
    /// (default 25 = 0.5 s): shrinks the delay after a jitter spike without audible jumps every tick.
    /// </summary>
    public int ShrinkAfterTicks { get; init; } = 25;

    /// <summary>Largest payload a slot holds (default 1920, a 20 ms L16 frame, the largest of our codecs); larger packets are dropped.</summary>
    public int MaxPayloadBytes { get; init; } = AudioFormat.MaxPayloadBytes;

    internal void Validate()
    {
        if (Capacity < 4 || Capacity > 1024 || (Capacity & (Capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "The capacity is a power of two between 4 and 1024.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinDelayFrames);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelayFrames, MinDelayFrames);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(MaxDelayFrames, Capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelayFrames, MinDelayFrames);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(InitialDelayFrames, MaxDelayFrames);
        if (JitterMultiplier < 0 || double.IsNaN(JitterMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(JitterMultiplier), JitterMultiplier, "The jitter multiplier is non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxConcealedFrames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ShrinkAfterTicks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPayloadBytes);
    }
}
