using System.Buffers.Binary;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Tests.Support;

/// <summary>Builds RTP datagrams for tests.</summary>
internal static class RtpPackets
{
    public static byte[] Build(byte payloadType, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, bool marker = false)
    {
        var packet = new byte[RtpHeader.FixedLength + payload.Length];
        RtpHeader.WriteFixed(packet, marker, payloadType, sequence, timestamp, ssrc);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
        return packet;
    }

    /// <summary>A packet with a header extension block of <paramref name="profile"/> holding <paramref name="elements"/> (zero-padded to 32 bits).</summary>
    public static byte[] BuildWithExtension(byte payloadType, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> elements, ushort profile = RtpHeaderExtensions.OneByteProfile)
    {
        int words = (elements.Length + 3) / 4;
        var packet = new byte[RtpHeader.FixedLength + 4 + 4 * words + payload.Length];
        RtpHeader.WriteFixed(packet, false, payloadType, sequence, timestamp, ssrc);
        packet[0] |= 0x10;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), profile);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), (ushort)words);
        elements.CopyTo(packet.AsSpan(16));
        payload.CopyTo(packet.AsSpan(16 + 4 * words));
        return packet;
    }

    /// <summary>One one-byte-form element (RFC 8285 §4.2).</summary>
    public static byte[] OneByteElement(int id, ReadOnlySpan<byte> data) => [(byte)(id << 4 | (data.Length - 1)), .. data];

    /// <summary>One two-byte-form element (RFC 8285 §4.3).</summary>
    public static byte[] TwoByteElement(int id, ReadOnlySpan<byte> data) => [(byte)id, (byte)data.Length, .. data];
}
