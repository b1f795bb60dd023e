using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtcp;

/// <summary>One packet of a compound RTCP packet, viewed in place.</summary>
public readonly ref struct RtcpPacket
{
    internal RtcpPacket(RtcpPacketType type, int count, ReadOnlySpan<byte> packet)
    {
        Type = type;
        Count = count;
        Raw = packet;
    }

    public RtcpPacketType Type { get; }

    /// <summary>The 5-bit count field: report blocks (SR/RR), chunks (SDES) or SSRCs (BYE).</summary>
    public int Count { get; }

    /// <summary>The whole packet, header included, padding excluded.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The sender information of an SR.</summary>
    public bool TryGetSenderInfo(out RtcpSenderInfo sender)
    {
        sender = default;
        if (Type != RtcpPacketType.SenderReport || Raw.Length < 28)
        {
            return false;
        }

        sender = new RtcpSenderInfo(
            BinaryPrimitives.ReadUInt32BigEndian(Raw[4..]),
            BinaryPrimitives.ReadUInt64BigEndian(Raw[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(Raw[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(Raw[20..]),
            BinaryPrimitives.ReadUInt32BigEndian(Raw[24..]));
        return true;
    }

    /// <summary>SSRC of the reporter of an SR or RR.</summary>
    public uint ReporterSsrc => Type is RtcpPacketType.SenderReport or RtcpPacketType.ReceiverReport && Raw.Length >= 8
        ? BinaryPrimitives.ReadUInt32BigEndian(Raw[4..])
        : 0;

    /// <summary>Report blocks present in an SR or RR (the count field, bounded by the bytes actually present).</summary>
    public int ReportBlockCount
    {
        get
        {
            int start = BlocksOffset;
            return start < 0 ? 0 : Math.Min(Count, (Raw.Length - start) / RtcpReportBlock.Length);
        }
    }

    public RtcpReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportBlockCount);
        return RtcpReportBlock.Read(Raw[(BlocksOffset + RtcpReportBlock.Length * index)..]);
    }

    /// <summary>The CNAME of the first SDES chunk that carries one.</summary>
    public bool TryGetCname(out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        ssrc = 0;
        cname = default;
        if (Type != RtcpPacketType.SourceDescription)
        {
            return false;
        }

        ReadOnlySpan<byte> body = Raw[4..];
        for (int chunk = 0; chunk < Count && body.Length >= 4; chunk++)
        {
            uint chunkSsrc = BinaryPrimitives.ReadUInt32BigEndian(body);
            int offset = 4;
            while (offset < body.Length && body[offset] != 0)
            {
                if (offset + 2 > body.Length)
                {
                    return false;
                }

                byte itemType = body[offset];
                int itemLength = body[offset + 1];
                if (offset + 2 + itemLength > body.Length)
                {
                    return false;
                }

                if (itemType == RtcpWriter.SdesCname)
                {
                    ssrc = chunkSsrc;
                    cname = body.Slice(offset + 2, itemLength);
                    return true;
                }

                offset += 2 + itemLength;
            }

            // Skip the terminating null octet(s) to the next 32-bit boundary.
            offset = (offset + 4) & ~3;
            body = offset <= body.Length ? body[offset..] : default;
        }

        return false;
    }

    /// <summary>SSRCs that a BYE says are leaving (bounded by the bytes present).</summary>
    public int GoodbyeSsrcCount => Type == RtcpPacketType.Goodbye ? Math.Min(Count, (Raw.Length - 4) / 4) : 0;

    public uint GetGoodbyeSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, GoodbyeSsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(Raw[(4 + 4 * index)..]);
    }

    private int BlocksOffset => Type switch
    {
        RtcpPacketType.SenderReport => 28,
        RtcpPacketType.ReceiverReport => 8,
        _ => -1,
    };
}

/// <summary>
/// Walks the packets of a compound RTCP packet without copying. Stops (returns false) at the end or at the first
/// malformed packet, and never throws: a packet's claimed length must fit, and the version must be 2.
/// </summary>
public ref struct RtcpCompoundReader
{
    private ReadOnlySpan<byte> _remaining;

    public RtcpCompoundReader(ReadOnlySpan<byte> compound) => _remaining = compound;

    /// <summary>Whether the last <see cref="TryReadNext"/> stopped because of a malformed packet.</summary>
    public bool Malformed { get; private set; }

    /// <summary>
    /// RFC 3550 A.2's validity check of a whole compound: version 2 throughout, the first packet an SR or RR without
    /// padding, and the packet lengths adding up to the datagram's length.
    /// </summary>
    public static bool IsValidCompound(ReadOnlySpan<byte> compound)
    {
        if (compound.Length < 8 || (compound[0] & 0x20) != 0 || compound[1] is not ((byte)RtcpPacketType.SenderReport or (byte)RtcpPacketType.ReceiverReport))
        {
            return false;
        }

        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out _))
        {
        }

        return !reader.Malformed;
    }

    public bool TryReadNext(out RtcpPacket packet)
    {
        packet = default;
        if (_remaining.IsEmpty)
        {
            return false;
        }

        if (_remaining.Length < 4 || _remaining[0] >> 6 != 2)
        {
            return Fail();
        }

        int length = (BinaryPrimitives.ReadUInt16BigEndian(_remaining[2..]) + 1) * 4;
        if (length > _remaining.Length)
        {
            return Fail();
        }

        ReadOnlySpan<byte> raw = _remaining[..length];
        if ((raw[0] & 0x20) != 0)
        {
            int pad = raw[^1];
            if (pad == 0 || pad > length - 4)
            {
                return Fail();
            }

            raw = raw[..^pad];
        }

        packet = new RtcpPacket((RtcpPacketType)_remaining[1], _remaining[0] & 0x1F, raw);
        _remaining = _remaining[length..];
        return true;
    }

    private bool Fail()
    {
        Malformed = true;
        _remaining = default;
        return false;
    }
}
