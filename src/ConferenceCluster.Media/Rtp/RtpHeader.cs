using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtp;

/// <summary>
/// The fixed RTP header (RFC 3550 §5.1) of one received packet, plus where its payload lies. Parsed from a span
/// without copying; <see cref="TryParse"/> never throws, so garbage from the network is simply rejected.
/// </summary>
public readonly record struct RtpHeader
{
    /// <summary>Length of the fixed header without CSRCs or extension.</summary>
    public const int FixedLength = 12;

    /// <summary>RTP version 2, the only one in use.</summary>
    public const int Version2 = 2;

    public bool Padding { get; init; }

    /// <summary>Whether a header extension (RFC 3550 §5.3.1) followed the CSRCs (read its elements with <see cref="RtpHeaderExtensions"/>).</summary>
    public bool Extension { get; init; }

    /// <summary>With <see cref="Extension"/>: offset of the extension's 4-byte preamble (profile, length) in the packet.</summary>
    public int ExtensionOffset { get; init; }

    /// <summary>Number of CSRC identifiers (0–15).</summary>
    public int CsrcCount { get; init; }

    public bool Marker { get; init; }

    public byte PayloadType { get; init; }

    public ushort SequenceNumber { get; init; }

    public uint Timestamp { get; init; }

    public uint Ssrc { get; init; }

    /// <summary>Offset of the payload in the packet: fixed header + CSRCs + extension.</summary>
    public int PayloadOffset { get; init; }

    /// <summary>Payload bytes, padding excluded.</summary>
    public int PayloadLength { get; init; }

    /// <summary>The payload of <paramref name="packet"/> (the same packet this header was parsed from).</summary>
    public ReadOnlySpan<byte> PayloadOf(ReadOnlySpan<byte> packet) => packet.Slice(PayloadOffset, PayloadLength);

    /// <summary>The i-th CSRC of <paramref name="packet"/>.</summary>
    public uint CsrcOf(ReadOnlySpan<byte> packet, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(FixedLength + 4 * index, 4));
    }

    /// <summary>
    /// Parses an RTP packet. Rejects (returns false) anything that is not version 2, is shorter than its CSRC list
    /// or extension claims, or whose padding count exceeds what remains. RTCP on a muxed port (payload types
    /// 72–76 with the marker bit, RFC 5761 §4) is rejected too.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedLength)
        {
            return false;
        }

        byte first = packet[0];
        if (first >> 6 != Version2)
        {
            return false;
        }

        byte second = packet[1];
        int payloadType = second & 0x7F;
        if (payloadType is >= 72 and <= 76)
        {
            return false; // RTCP SR/RR/SDES/BYE/APP multiplexed on the RTP port
        }

        bool padding = (first & 0x20) != 0;
        bool extension = (first & 0x10) != 0;
        int csrcCount = first & 0x0F;
        int offset = FixedLength + 4 * csrcCount;
        if (packet.Length < offset)
        {
            return false;
        }

        int extensionOffset = offset;
        if (extension)
        {
            // 16-bit profile-defined id, 16-bit length in 32-bit words excluding this 4-byte preamble.
            if (packet.Length < offset + 4)
            {
                return false;
            }

            int words = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 2, 2));
            offset += 4 + 4 * words;
            if (packet.Length < offset)
            {
                return false;
            }
        }

        int end = packet.Length;
        if (padding)
        {
            // The last octet counts the padding octets, itself included (so zero is invalid).
            int padCount = packet[^1];
            if (padCount == 0 || end - offset < padCount)
            {
                return false;
            }

            end -= padCount;
        }

        header = new RtpHeader
        {
            Padding = padding,
            Extension = extension,
            ExtensionOffset = extension ? extensionOffset : 0,
            CsrcCount = csrcCount,
            Marker = (second & 0x80) != 0,
            PayloadType = (byte)payloadType,
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2, 2)),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(4, 4)),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(8, 4)),
            PayloadOffset = offset,
            PayloadLength = end - offset,
        };
        return true;
    }

    /// <summary>
    /// Writes a 12-byte header with no padding, extension or CSRCs (what we send: one mixed source).
    /// </summary>
    /// <returns><see cref="FixedLength"/>.</returns>
    public static int WriteFixed(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        if (destination.Length < FixedLength)
        {
            throw new ArgumentException($"An RTP header needs {FixedLength} bytes.", nameof(destination));
        }

        destination[0] = Version2 << 6;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        return FixedLength;
    }

    /// <summary>Writes a full header including CSRCs (for tests and for a future forwarding path).</summary>
    /// <returns>Header bytes written.</returns>
    public static int Write(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc, ReadOnlySpan<uint> csrcs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(csrcs.Length, 15);
        int length = FixedLength + 4 * csrcs.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"This RTP header needs {length} bytes.", nameof(destination));
        }

        WriteFixed(destination, marker, payloadType, sequenceNumber, timestamp, ssrc);
        destination[0] |= (byte)csrcs.Length;
        for (int i = 0; i < csrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(FixedLength + 4 * i)..], csrcs[i]);
        }

        return length;
    }
}
