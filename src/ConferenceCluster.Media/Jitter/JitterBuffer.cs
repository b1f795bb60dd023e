using System.Buffers;

namespace ConferenceCluster.Media.Jitter;

/// <summary>What <see cref="JitterBuffer.Insert"/> did with a packet.</summary>
public enum JitterInsertResult
{
    Accepted,
    /// <summary>That sequence number is already buffered.</summary>
    Duplicate,
    /// <summary>Its frame has already been played out (or concealed): too late to use.</summary>
    Late,
    /// <summary>Larger than a slot: dropped.</summary>
    TooLarge,
    /// <summary>So far ahead of playout that the stream must have jumped: the buffer restarted from this packet.</summary>
    Resynchronised,
}

/// <summary>What one tick's <see cref="JitterBuffer.Next"/> yields.</summary>
public enum JitterPlayout
{
    /// <summary>The frame's packet is here: decode it.</summary>
    Packet,
    /// <summary>The frame's packet is missing: recover it (FEC from the next packet if given, else conceal).</summary>
    Missing,
    /// <summary>Nothing to play: (re)buffering, or the stream went quiet. Do not decode; the mixer skips this stream.</summary>
    Silent,
}

/// <summary>
/// Adaptive jitter buffer of one incoming RTP stream with one 20 ms frame per packet. Packets are slotted by a
/// 16-bit frame number (the caller derives it from the RTP timestamp; see <see cref="Streams.InboundAudioStream"/>),
/// so reordering and duplicates are handled for free; each tick releases the next frame in order.
/// The target delay follows the measured interarrival jitter between <see cref="JitterBufferOptions.MinDelayFrames"/>
/// and <see cref="JitterBufferOptions.MaxDelayFrames"/>. The actual delay grows when the buffer runs dry (playout
/// waits, concealing, for the late packet) and when a talkspurt starts (it buffers up to the target), and shrinks
/// by dropping a frame when the buffer has held more than target + 1 frames for a while.
/// </summary>
/// <remarks>
/// Payload bytes live in one pooled array (capacity × max payload) rented at creation: inserting copies the packet
/// in, and nothing is allocated per packet. A payload span returned by <see cref="Next"/> stays valid until the
/// next <see cref="Insert"/> or <see cref="Next"/>. Not thread-safe: the stream's worker owns it.
/// </remarks>
public sealed class JitterBuffer : IDisposable
{
    private readonly JitterBufferOptions _options;
    private readonly int _mask;
    private readonly int _slotBytes;
    private byte[] _payloads;
    private readonly int[] _lengths;
    private readonly ushort[] _sequences;
    private readonly bool[] _occupied;

    /// <summary>Each slot's RFC 6464 level byte as the sender put it in the packet, or −1 when it carried none.</summary>
    private readonly short[] _levels;

    private bool _started;     // a playout position exists
    private bool _buffering;   // waiting to reach the target depth before (re)starting playout
    private bool _playedSinceStart;
    private ushort _nextSequence;
    private ushort _highestSequence;
    private int _count;
    private int _consecutiveMissing;
    private int _aboveTargetTicks;

    public JitterBuffer(JitterBufferOptions? options = null)
    {
        _options = options ?? new JitterBufferOptions();
        _options.Validate();
        _mask = _options.Capacity - 1;
        _slotBytes = _options.MaxPayloadBytes;
        _payloads = ArrayPool<byte>.Shared.Rent(_options.Capacity * _slotBytes);
        _lengths = new int[_options.Capacity];
        _sequences = new ushort[_options.Capacity];
        _occupied = new bool[_options.Capacity];
        _levels = new short[_options.Capacity];
        TargetDelayFrames = _options.InitialDelayFrames;
    }

    public JitterBufferOptions Options => _options;

    /// <summary>Frames the buffer currently aims to hold before playing.</summary>
    public int TargetDelayFrames { get; private set; }

    /// <summary>Frames between the playout position and the newest packet (0 when empty).</summary>
    public int Depth => _count == 0 ? 0 : (ushort)(_highestSequence - _nextSequence) + 1;

    /// <summary>Packets buffered.</summary>
    public int Count => _count;

    /// <summary>Whether the last <see cref="Next"/> found nothing to play.</summary>
    public bool IsSilent => !_started || _buffering;

    public long DuplicatePackets { get; private set; }

    public long LatePackets { get; private set; }

    /// <summary>Frames whose packet never arrived in time (played as missing while later packets were buffered).</summary>
    public long LostFrames { get; private set; }

    /// <summary>Frames concealed because the buffer ran dry.</summary>
    public long UnderrunFrames { get; private set; }

    /// <summary>Frames dropped to shrink the delay.</summary>
    public long DroppedFrames { get; private set; }

    public long Resynchronisations { get; private set; }

    /// <summary>
    /// Sets the target delay from the stream's interarrival jitter (RFC 3550 A.8, in ms). Takes effect at the next
    /// re-buffering (growth) or through frame drops (shrinking).
    /// </summary>
    public void UpdateJitter(double jitterMilliseconds)
    {
        double frames = _options.JitterMultiplier * Math.Max(0, jitterMilliseconds) / AudioFormat.FrameMilliseconds;
        int target = _options.MinDelayFrames + (int)Math.Ceiling(frames);
        TargetDelayFrames = Math.Clamp(target, _options.MinDelayFrames, _options.MaxDelayFrames);
    }

    /// <summary>Buffers one packet's payload (copied).</summary>
    /// <param name="sequence">The packet's 20 ms frame number, modulo 2^16.</param>
    public JitterInsertResult Insert(ushort sequence, ReadOnlySpan<byte> payload) => Insert(sequence, payload, audioLevel: -1);

    /// <summary>Buffers one packet's payload (copied) with the RFC 6464 level byte it carried (−1: none).</summary>
    public JitterInsertResult Insert(ushort sequence, ReadOnlySpan<byte> payload, int audioLevel)
    {
        if (payload.Length > _slotBytes)
        {
            return JitterInsertResult.TooLarge;
        }

        if (!_started)
        {
            Restart(sequence);
        }

        int delta = (short)(ushort)(sequence - _nextSequence);
        JitterInsertResult result = JitterInsertResult.Accepted;
        if (delta < 0)
        {
            // Before anything of this spurt was played, an earlier packet just moves the start back.
            if (!_playedSinceStart && Depth - delta <= _options.Capacity)
            {
                _nextSequence = sequence;
            }
            else
            {
                LatePackets++;
                return JitterInsertResult.Late;
            }
        }
        else if (delta >= _options.Capacity)
        {
            Clear();
            Restart(sequence);
            Resynchronisations++;
            result = JitterInsertResult.Resynchronised;
        }

        int slot = sequence & _mask;
        if (_occupied[slot])
        {
            DuplicatePackets++;
            return JitterInsertResult.Duplicate;
        }

        payload.CopyTo(_payloads.AsSpan(slot * _slotBytes, _slotBytes));
        _lengths[slot] = payload.Length;
        _levels[slot] = (short)audioLevel;
        _sequences[slot] = sequence;
        _occupied[slot] = true;
        if (_count == 0 || (short)(ushort)(sequence - _highestSequence) > 0)
        {
            _highestSequence = sequence;
        }

        _count++;
        return result;
    }

    /// <summary>Releases this tick's frame.</summary>
    /// <param name="payload">With <see cref="JitterPlayout.Packet"/>: the frame's payload.</param>
    /// <param name="nextPayload">With <see cref="JitterPlayout.Missing"/>: the following frame's payload if it is already
    /// here (its Opus FEC can rebuild the missing frame), else empty.</param>
    public JitterPlayout Next(out ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> nextPayload) => Next(out payload, out nextPayload, out _);

    /// <summary>Releases this tick's frame, with the RFC 6464 level byte its packet carried (−1: none, or no packet).</summary>
    public JitterPlayout Next(out ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> nextPayload, out int audioLevel)
    {
        audioLevel = -1;
        payload = default;
        nextPayload = default;
        if (!_started)
        {
            return JitterPlayout.Silent;
        }

        if (_buffering)
        {
            if (Depth < TargetDelayFrames)
            {
                return JitterPlayout.Silent;
            }

            _buffering = false;
        }

        int slot = _nextSequence & _mask;
        JitterPlayout playout;
        if (TryTake(slot, _nextSequence, out payload))
        {
            audioLevel = _levels[slot];
            _consecutiveMissing = 0;
            playout = JitterPlayout.Packet;
        }
        else if (_count > 0)
        {
            LostFrames++;
            int nextSlot = (_nextSequence + 1) & _mask;
            if (_occupied[nextSlot] && _sequences[nextSlot] == (ushort)(_nextSequence + 1))
            {
                nextPayload = _payloads.AsSpan(nextSlot * _slotBytes, _lengths[nextSlot]);
            }

            playout = JitterPlayout.Missing;
        }
        else
        {
            // Dry: the packet is late or the talker stopped. Conceal without moving the playout position, so a late
            // packet is still played when it comes: the delay grows by a frame per underrun (bounded by the
            // shrink rule). After MaxConcealedFrames the stream counts as silent and re-buffers from scratch.
            if (++_consecutiveMissing > _options.MaxConcealedFrames)
            {
                _started = false;
                return JitterPlayout.Silent;
            }

            UnderrunFrames++;
            return JitterPlayout.Missing;
        }

        _nextSequence++;
        _playedSinceStart = true;
        ShrinkIfOverfull();
        return playout;
    }

    /// <summary>Forgets everything (e.g. the source's SSRC changed).</summary>
    public void Reset()
    {
        Clear();
        _started = false;
    }

    public void Dispose()
    {
        byte[] payloads = Interlocked.Exchange(ref _payloads, []);
        if (payloads.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(payloads);
        }
    }

    private void Restart(ushort sequence)
    {
        _started = true;
        _buffering = true;
        _playedSinceStart = false;
        _nextSequence = sequence;
        _highestSequence = sequence;
        _consecutiveMissing = 0;
        _aboveTargetTicks = 0;
    }

    private bool TryTake(int slot, ushort sequence, out ReadOnlySpan<byte> payload)
    {
        if (!_occupied[slot] || _sequences[slot] != sequence)
        {
            payload = default;
            return false;
        }

        _occupied[slot] = false;
        _count--;
        // The bytes stay in place until a later insert reuses the slot, which cannot happen before the caller decodes.
        payload = _payloads.AsSpan(slot * _slotBytes, _lengths[slot]);
        return true;
    }

    private void ShrinkIfOverfull()
    {
        if (Depth <= TargetDelayFrames + 1)
        {
            _aboveTargetTicks = 0;
            return;
        }

        if (++_aboveTargetTicks < _options.ShrinkAfterTicks)
        {
            return;
        }

        // Drop the oldest buffered frame: one 20 ms skip is less audible than a permanently long delay.
        _aboveTargetTicks = 0;
        int slot = _nextSequence & _mask;
        if (_occupied[slot] && _sequences[slot] == _nextSequence)
        {
            _occupied[slot] = false;
            _count--;
        }

        _nextSequence++;
        DroppedFrames++;
    }

    private void Clear()
    {
        Array.Clear(_occupied);
        _count = 0;
        _consecutiveMissing = 0;
    }
}
