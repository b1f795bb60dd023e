namespace ConferenceCluster.Media.Video.Rtp;

/// <summary>What <see cref="Vp8FrameAssembler.Insert"/> did with one packet.</summary>
public enum Vp8PacketVerdict
{
    /// <summary>Stored; a frame may now be complete.</summary>
    Stored,
    /// <summary>Not a VP8 payload (empty, or a descriptor longer than the payload): dropped and counted.</summary>
    Malformed,
    /// <summary>Already received, or older than the frames already handed out: dropped.</summary>
    Duplicate,
    /// <summary>Before the first frame start of the stream: dropped (the stream is joined at a frame boundary).</summary>
    BeforeFirstFrame,
}

/// <summary>
/// Reassembles VP8 frames from RTP packets (RFC 7741 §4.5): a frame is the packets from one that starts it (S = 1,
/// PID = 0) through the one with the marker bit, all with the same timestamp and consecutive sequence numbers. Packets
/// are held in a ring indexed by sequence number, so reordering and retransmissions (NACK) fill holes in place; a
/// hole that is not filled in time is given up with <see cref="SkipDamagedFrame"/>, after which the next frame
/// handed out says <c>afterLoss</c> (the decoder's references may be broken: ask for a key frame).
/// </summary>
/// <remarks>
/// Plain class, no clock: the owner decides when to give up. Storage is allocated once (slots × MTU plus one frame
/// buffer); nothing is allocated per packet. Not thread-safe.
/// </remarks>
public sealed class Vp8FrameAssembler
{
    /// <summary>Largest RTP payload kept (bigger ones are not VP8 over a 1500-byte MTU: dropped as malformed).</summary>
    public const int MaxPayloadBytes = 1400;

    private readonly byte[][] _payloads;
    private readonly int[] _lengths;
    private readonly ushort[] _sequences;
    private readonly uint[] _timestamps;
    private readonly bool[] _markers;
    private readonly bool[] _starts;
    private readonly bool[] _filled;
    private readonly byte[] _frame;
    private bool _started;
    private bool _lossPending;
    private ushort _expected;
    private ushort _highest;

    /// <param name="slots">Packets held at once (a power of two; default 512: a 1080p key frame and then some).</param>
    /// <param name="maxFrameBytes">Largest frame assembled (default 1 MiB); a bigger one is dropped as damaged.</param>
    public Vp8FrameAssembler(int slots = 512, int maxFrameBytes = 1 << 20)
    {
        if (slots < 16 || slots > 32768 || (slots & (slots - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "A power of two from 16 to 32768.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 1024);
        _payloads = new byte[slots][];
        for (int i = 0; i < slots; i++)
        {
            _payloads[i] = new byte[MaxPayloadBytes];
        }

        _lengths = new int[slots];
        _sequences = new ushort[slots];
        _timestamps = new uint[slots];
        _markers = new bool[slots];
        _starts = new bool[slots];
        _filled = new bool[slots];
        _frame = new byte[maxFrameBytes];
    }

    public long PacketsStored { get; private set; }

    public long PacketsMalformed { get; private set; }

    public long PacketsDuplicate { get; private set; }

    public long FramesAssembled { get; private set; }

    /// <summary>Frames given up because packets never came, or that exceeded the frame buffer.</summary>
    public long FramesDamaged { get; private set; }

    /// <summary>Whether packets are missing before the newest one received (a hole to NACK or give up on).</summary>
    public bool HasHole => CountMissing() > 0;

    /// <summary>Stores one RTP packet's payload (descriptor included).</summary>
    public Vp8PacketVerdict Insert(ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes || !Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor descriptor))
        {
            PacketsMalformed++;
            return Vp8PacketVerdict.Malformed;
        }

        if (!_started)
        {
            if (!descriptor.StartsFrame)
            {
                return Vp8PacketVerdict.BeforeFirstFrame;
            }

            _started = true;
            _expected = _highest = sequence;
        }

        int ahead = Distance(_expected, sequence);
        if (ahead < 0)
        {
            PacketsDuplicate++;
            return Vp8PacketVerdict.Duplicate;
        }

        if (ahead >= _payloads.Length)
        {
            // Far beyond the ring: whatever was pending is lost. Start over at this packet if it starts a frame.
            Restart();
            if (!descriptor.StartsFrame)
            {
                return Vp8PacketVerdict.BeforeFirstFrame;
            }

            _started = true;
            _expected = _highest = sequence;
        }

        int slot = sequence & (_payloads.Length - 1);
        if (_filled[slot] && _sequences[slot] == sequence)
        {
            PacketsDuplicate++;
            return Vp8PacketVerdict.Duplicate;
        }

        payload.CopyTo(_payloads[slot]);
        _lengths[slot] = payload.Length;
        _sequences[slot] = sequence;
        _timestamps[slot] = timestamp;
        _markers[slot] = marker;
        _starts[slot] = descriptor.StartsFrame;
        _filled[slot] = true;
        if (Distance(_highest, sequence) > 0)
        {
            _highest = sequence;
        }

        PacketsStored++;
        return Vp8PacketVerdict.Stored;
    }

    /// <summary>
    /// Hands out the next frame if all of its packets are here: its VP8 bytes (descriptors removed) in a buffer valid
    /// until the next call, its RTP timestamp, whether it is a key frame (RFC 7741 §4.3: P bit 0), and whether frames
    /// were lost before it.
    /// </summary>
    public bool TryTakeFrame(out ReadOnlySpan<byte> frame, out uint timestamp, out bool keyframe, out bool afterLoss)
    {
        frame = default;
        timestamp = 0;
        keyframe = afterLoss = false;
        while (_started && IsFilled(_expected))
        {
            int first = Slot(_expected);
            if (!_starts[first])
            {
                // The packet after the last frame does not start one: the sender split frames oddly. Drop it.
                Clear(first);
                _expected++;
                _lossPending = true;
                continue;
            }

            uint frameTimestamp = _timestamps[first];
            int count = 0;
            bool complete = false;
            for (ushort sequence = _expected; count < _payloads.Length; sequence++, count++)
            {
                if (!IsFilled(sequence))
                {
                    return false; // a hole: wait for the retransmission (or for the owner to give up)
                }

                int slot = Slot(sequence);
                if (count > 0 && (_timestamps[slot] != frameTimestamp || _starts[slot]))
                {
                    complete = true; // the next frame began although no packet carried the marker
                    break;
                }

                if (_markers[slot])
                {
                    count++;
                    complete = true;
                    break;
                }
            }

            if (!complete)
            {
                return false;
            }

            int length = 0;
            bool fits = true;
            for (int i = 0; i < count; i++)
            {
                int slot = Slot((ushort)(_expected + i));
                Vp8PayloadDescriptor.TryParse(_payloads[slot].AsSpan(0, _lengths[slot]), out Vp8PayloadDescriptor descriptor);
                int data = _lengths[slot] - descriptor.Length;
                if (length + data > _frame.Length)
                {
                    fits = false;
                }
                else
                {
                    _payloads[slot].AsSpan(descriptor.Length, data).CopyTo(_frame.AsSpan(length));
                    length += data;
                }

                Clear(slot);
            }

            _expected = (ushort)(_expected + count);
            if (!fits)
            {
                FramesDamaged++;
                _lossPending = true;
                continue;
            }

            frame = _frame.AsSpan(0, length);
            timestamp = frameTimestamp;
            keyframe = length > 0 && (_frame[0] & 1) == 0;
            afterLoss = _lossPending;
            _lossPending = false;
            FramesAssembled++;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Writes the sequence numbers missing between the next expected packet and the newest one received (what to
    /// NACK), oldest first.
    /// </summary>
    /// <returns>How many were written.</returns>
    public int CollectMissing(Span<ushort> missing)
    {
        if (!_started)
        {
            return 0;
        }

        int count = 0;
        int span = Distance(_expected, _highest);
        for (int i = 0; i <= span && count < missing.Length; i++)
        {
            ushort sequence = (ushort)(_expected + i);
            if (!IsFilled(sequence))
            {
                missing[count++] = sequence;
            }
        }

        return count;
    }

    /// <summary>
    /// Gives up on the frame at the head (its packets did not come in time): drops everything up to the next frame start
    /// already received, or everything if there is none yet. The next frame handed out reports <c>afterLoss</c>.
    /// </summary>
    public void SkipDamagedFrame()
    {
        if (!_started)
        {
            return;
        }

        FramesDamaged++;
        _lossPending = true;
        int span = Distance(_expected, _highest);
        for (int i = 1; i <= span; i++)
        {
            ushort sequence = (ushort)(_expected + i);
            if (IsFilled(sequence) && _starts[Slot(sequence)])
            {
                for (int j = 0; j < i; j++)
                {
                    Clear(Slot((ushort)(_expected + j)));
                }

                _expected = sequence;
                return;
            }
        }

        Restart();
        _lossPending = true;
    }

    /// <summary>Forgets everything (the sender restarted its stream, a new SSRC): the next frame start begins again.</summary>
    public void Reset()
    {
        Restart();
        _lossPending = false;
    }

    private int CountMissing()
    {
        if (!_started)
        {
            return 0;
        }

        int missing = 0;
        int span = Distance(_expected, _highest);
        for (int i = 0; i <= span; i++)
        {
            if (!IsFilled((ushort)(_expected + i)))
            {
                missing++;
            }
        }

        return missing;
    }

    private void Restart()
    {
        Array.Clear(_filled);
        _started = false;
    }

    private bool IsFilled(ushort sequence)
    {
        int slot = Slot(sequence);
        return _filled[slot] && _sequences[slot] == sequence;
    }

    private int Slot(ushort sequence) => sequence & (_payloads.Length - 1);

    private void Clear(int slot) => _filled[slot] = false;

    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/> in 16-bit serial arithmetic.</summary>
    private static int Distance(ushort from, ushort to) => (short)(ushort)(to - from);
}
