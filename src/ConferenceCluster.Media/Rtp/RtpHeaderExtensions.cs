using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtp;

/// <summary>What looking for one header extension element in a packet found.</summary>
public enum HeaderExtensionLookup
{
    /// <summary>The packet has no header extension, or none with that id.</summary>
    Absent,

    /// <summary>The element is there; its data was returned.</summary>
    Found,

    /// <summary>
    /// The extension block is not valid RFC 8285 (an element runs past the block's end, an unknown profile, a zero-length
    /// element where one is needed): ignore it, count it, keep the packet's audio.
    /// </summary>
    Malformed,
}

/// <summary>
/// RFC 8285 header extension elements ("a=extmap"), one-byte form (profile 0xBEDE: 4-bit id, 4-bit length − 1) and
/// two-byte form (profile 0x100X: 8-bit id, 8-bit length), read in place from a parsed packet. Never throws: whatever
/// a sender puts in the block, the answer is one of <see cref="HeaderExtensionLookup"/>.
/// </summary>
public static class RtpHeaderExtensions
{
    /// <summary>The "defined by profile" value of the one-byte form (RFC 8285 §4.2).</summary>
    public const ushort OneByteProfile = 0xBEDE;

    /// <summary>The two-byte form's profile values are 0x1000–0x100F (the low 4 bits are "appbits", RFC 8285 §4.3).</summary>
    public const ushort TwoByteProfileMask = 0xFFF0;

    public const ushort TwoByteProfile = 0x1000;

    /// <summary>Finds element <paramref name="id"/> (1–14 in the one-byte form, 1–255 in the two-byte form).</summary>
    /// <param name="packet">The whole RTP packet <paramref name="header"/> was parsed from.</param>
    /// <param name="data">With <see cref="HeaderExtensionLookup.Found"/>: the element's data (may be empty in the two-byte form).</param>
    public static HeaderExtensionLookup TryFind(ReadOnlySpan<byte> packet, in RtpHeader header, int id, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (!header.Extension || id is < 1 or > 255)
        {
            return HeaderExtensionLookup.Absent;
        }

        // RtpHeader.TryParse already checked that the preamble and the whole block lie inside the packet.
        int offset = header.ExtensionOffset;
        if (offset < RtpHeader.FixedLength || offset + 4 > packet.Length)
        {
            return HeaderExtensionLookup.Malformed;
        }

        ushort profile = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        int length = 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        if (offset + 4 + length > packet.Length)
        {
            return HeaderExtensionLookup.Malformed;
        }

        ReadOnlySpan<byte> block = packet.Slice(offset + 4, length);
        if (profile == OneByteProfile)
        {
            return id > 14 ? HeaderExtensionLookup.Absent : FindOneByte(block, id, out data);
        }

        if ((profile & TwoByteProfileMask) == TwoByteProfile)
        {
            return FindTwoByte(block, id, out data);
        }

        // Another profile's extension (RFC 3550 §5.3.1 allows any): not ours to read.
        return HeaderExtensionLookup.Absent;
    }

    /// <summary>Writes a one-byte-form extension block with one element (for senders and tests); returns the bytes written.</summary>
    public static int WriteOneByte(Span<byte> destination, int id, ReadOnlySpan<byte> data)
    {
        if (id is < 1 or > 14)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "One-byte header extension ids are 1–14.");
        }

        if (data.Length is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "One-byte header extension elements carry 1–16 bytes.");
        }

        int words = (1 + data.Length + 3) / 4;
        int total = 4 + 4 * words;
        if (destination.Length < total)
        {
            throw new ArgumentException($"The extension needs {total} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, OneByteProfile);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)words);
        destination[4] = (byte)(id << 4 | (data.Length - 1));
        data.CopyTo(destination[5..]);
        destination[(5 + data.Length)..total].Clear(); // padding
        return total;
    }

    private static HeaderExtensionLookup FindOneByte(ReadOnlySpan<byte> block, int id, out ReadOnlySpan<byte> data)
    {
        data = default;
        int i = 0;
        while (i < block.Length)
        {
            byte first = block[i];
            if (first == 0)
            {
                i++; // padding between or after elements
                continue;
            }

            int elementId = first >> 4;
            if (elementId == 15)
            {
                return HeaderExtensionLookup.Absent; // RFC 8285 §4.2: stop processing the block here
            }

            int elementLength = (first & 0x0F) + 1;
            if (i + 1 + elementLength > block.Length)
            {
                return HeaderExtensionLookup.Malformed;
            }

            if (elementId == id)
            {
                data = block.Slice(i + 1, elementLength);
                return HeaderExtensionLookup.Found;
            }

            i += 1 + elementLength;
        }

        return HeaderExtensionLookup.Absent;
    }

    private static HeaderExtensionLookup FindTwoByte(ReadOnlySpan<byte> block, int id, out ReadOnlySpan<byte> data)
    {
        data = default;
        int i = 0;
        while (i < block.Length)
        {
            byte elementId = block[i];
            if (elementId == 0)
            {
                i++; // padding
                continue;
            }

            if (i + 2 > block.Length)
            {
                return HeaderExtensionLookup.Malformed;
            }

            int elementLength = block[i + 1];
            if (i + 2 + elementLength > block.Length)
            {
                return HeaderExtensionLookup.Malformed;
            }

            if (elementId == id)
            {
                data = block.Slice(i + 2, elementLength);
                return HeaderExtensionLookup.Found;
            }

            i += 2 + elementLength;
        }

        return HeaderExtensionLookup.Absent;
    }
}
