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
}
