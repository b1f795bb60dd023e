using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Video.Rtp;

namespace ConferenceCluster.Media.Tests.Video.Support;

/// <summary>Collects what a <see cref="VideoSendStream"/> sends, as parsed RTP packets.</summary>
internal struct PacketList() : IRtpPacketSender
{
    public List<byte[]> Packets { get; } = [];

    public readonly void Send(ReadOnlySpan<byte> packet) => Packets.Add(packet.ToArray());

    /// <summary>Packetizes a whole frame into the list.</summary>
    public static List<byte[]> Of(VideoSendStream stream, ReadOnlySpan<byte> frame, long time90k, ReadOnlySpan<byte> extension = default)
    {
        var list = new List<byte[]>();
        VideoSendStream.FramePacketizer packetizer = stream.BeginFrame(frame, time90k, extension);
        while (packetizer.TryNext(out ReadOnlySpan<byte> packet))
        {
            list.Add(packet.ToArray());
        }

        return list;
    }

    public static RtpHeader Header(byte[] packet)
    {
        Assert.True(RtpHeader.TryParse(packet, out RtpHeader header));
        return header;
    }
}
