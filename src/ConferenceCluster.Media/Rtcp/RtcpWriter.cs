using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtcp;

/// <summary>
/// Composes a compound RTCP packet (RFC 3550 §6.1) into a caller's buffer: an SR or RR first, then SDES with the
/// CNAME, optionally BYE last. Each method appends one packet; <see cref="Written"/> is the compound's length.
/// </summary>
public ref struct RtcpWriter
{
    private readonly Span<byte> _buffer;

    public RtcpWriter(Span<byte> buffer) => _buffer = buffer;

    public int Written { get; private set; }

    public readonly ReadOnlySpan<byte> Packet => _buffer[..Written];

    public void WriteSenderReport(in RtcpSenderInfo sender, scoped ReadOnlySpan<RtcpReportBlock> blocks)
    {
        Span<byte> packet = Begin(RtcpPacketType.SenderReport, blocks.Length, 4 + 20 + RtcpReportBlock.Length * blocks.Length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], sender.Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(packet[8..], sender.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet[16..], sender.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet[20..], sender.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(packet[24..], sender.OctetCount);
        WriteBlocks(packet[28..], blocks);
    }

    public void WriteReceiverReport(uint ssrc, scoped ReadOnlySpan<RtcpReportBlock> blocks)
    {
        Span<byte> packet = Begin(RtcpPacketType.ReceiverReport, blocks.Length, 4 + RtcpReportBlock.Length * blocks.Length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        WriteBlocks(packet[8..], blocks);
    }

    /// <summary>An SDES packet with one chunk holding the CNAME item (§6.5.1), the one item every compound carries.</summary>
    /// <param name="cname">UTF-8, at most 255 bytes.</param>
    public void WriteSourceDescriptionCname(uint ssrc, scoped ReadOnlySpan<byte> cname)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cname.Length, 255);
        // chunk: SSRC, CNAME item (type 1, length, text), then at least one null octet ending the item list,
        // padded to a 32-bit boundary.
        int chunk = 4 + 2 + cname.Length;
        int padded = (chunk + 4) & ~3;
        Span<byte> packet = Begin(RtcpPacketType.SourceDescription, 1, padded);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        packet[8] = SdesCname;
        packet[9] = (byte)cname.Length;
        cname.CopyTo(packet[10..]);
        packet[(4 + chunk)..(4 + padded)].Clear();
    }

    public void WriteGoodbye(scoped ReadOnlySpan<uint> ssrcs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 31);
        Span<byte> packet = Begin(RtcpPacketType.Goodbye, ssrcs.Length, 4 * ssrcs.Length);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(packet[(4 + 4 * i)..], ssrcs[i]);
        }
    }

    internal const byte SdesCname = 1;

    private Span<byte> Begin(RtcpPacketType type, int count, int bodyLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 31);
        int length = 4 + bodyLength;
        if (_buffer.Length - Written < length)
        {
            throw new ArgumentException($"The RTCP buffer has no room for a {length}-byte {type} packet.");
        }

        Span<byte> packet = _buffer.Slice(Written, length);
        packet[0] = (byte)(0x80 | count);
        packet[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)(length / 4 - 1)); // length in words minus one
        Written += length;
        return packet;
    }

    private static void WriteBlocks(Span<byte> destination, scoped ReadOnlySpan<RtcpReportBlock> blocks)
    {
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination[(RtcpReportBlock.Length * i)..]);
        }
    }
}
