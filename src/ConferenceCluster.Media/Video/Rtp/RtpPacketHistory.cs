namespace ConferenceCluster.Media.Video.Rtp;

/// <summary>
/// The last packets of one outgoing RTP stream, by sequence number, for retransmission on a generic NACK (RFC 4585
/// §6.2.1; retransmitted as the same packet on the same SSRC, as RFC 4588 allows when no RTX stream is negotiated).
/// A ring of preallocated slots: storing and looking up never allocate.
/// </summary>
public sealed class RtpPacketHistory
{
    public const int MaxPacketBytes = 1500;

    private readonly byte[][] _packets;
    private readonly int[] _lengths;
    private readonly ushort[] _sequences;
    private readonly bool[] _filled;

    /// <param name="capacity">Packets kept (a power of two; 256 covers a 720p key frame and several frames after it).</param>
    public RtpPacketHistory(int capacity = 256)
    {
        if (capacity < 16 || capacity > 8192 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A power of two from 16 to 8192.");
        }

        _packets = new byte[capacity][];
        for (int i = 0; i < capacity; i++)
        {
            _packets[i] = new byte[MaxPacketBytes];
        }

        _lengths = new int[capacity];
        _sequences = new ushort[capacity];
        _filled = new bool[capacity];
    }

    public int Capacity => _packets.Length;

    public void Store(ushort sequence, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > MaxPacketBytes)
        {
            return; // never ours: we packetize below the MTU
        }

        int slot = sequence & (_packets.Length - 1);
        packet.CopyTo(_packets[slot]);
        _lengths[slot] = packet.Length;
        _sequences[slot] = sequence;
        _filled[slot] = true;
    }

    /// <summary>The stored packet with this sequence number, if it is still in the ring.</summary>
    public bool TryGet(ushort sequence, out ReadOnlySpan<byte> packet)
    {
        int slot = sequence & (_packets.Length - 1);
        if (_filled[slot] && _sequences[slot] == sequence)
        {
            packet = _packets[slot].AsSpan(0, _lengths[slot]);
            return true;
        }

        packet = default;
        return false;
    }
}
