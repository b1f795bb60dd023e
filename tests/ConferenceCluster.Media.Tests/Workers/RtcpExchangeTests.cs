using System.Net;
using System.Net.Sockets;
using System.Text;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Rtcp;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

/// <summary>A participant leg's RTCP against a test peer on 127.0.0.1: SR + SDES out, the peer's RR in, BYE on removal.</summary>
public class RtcpExchangeTests
{
    [Fact]
    public async Task Leg_reports_reads_the_peers_report_about_it_and_says_goodbye_on_removal()
    {
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = new PortRange(44700, 44799),
            Cname = "node-under-test",
        });
        ConferenceMedia conference = await engine.CreateConferenceAsync("rtcp");
        using Socket peerRtp = Bound();
        using Socket peerRtcp = Bound();
        MediaParticipant leg = await conference.AddParticipantAsync(new MediaEndpointOptions
        {
            Codec = AudioCodec.Pcmu,
            PayloadType = 0,
            RemoteRtp = (IPEndPoint)peerRtp.LocalEndPoint!,
            RemoteRtcp = (IPEndPoint)peerRtcp.LocalEndPoint!,
        });

        // Our first report goes out as soon as we have sent media.
        byte[] report = ReceiveCompound(peerRtcp);
        var reader = new RtcpCompoundReader(report);
        Assert.True(reader.TryReadNext(out RtcpPacket sr));
        Assert.True(sr.TryGetSenderInfo(out RtcpSenderInfo sender));
        Assert.Equal(leg.OutboundSsrc, sender.Ssrc);
        Assert.True(sender.PacketCount >= 1);
        Assert.True(reader.TryReadNext(out RtcpPacket sdes));
        Assert.True(sdes.TryGetCname(out _, out ReadOnlySpan<byte> cname));
        Assert.Equal("node-under-test", Encoding.UTF8.GetString(cname));

        // The peer reports 25 % loss on our stream.
        var buffer = new byte[128];
        var writer = new RtcpWriter(buffer);
        writer.WriteReceiverReport(0xFEED, [new RtcpReportBlock(leg.OutboundSsrc, 64, 3, 100, 80, 0, 0)]);
        peerRtcp.SendTo(writer.Packet.ToArray(), new IPEndPoint(IPAddress.Loopback, leg.LocalRtcpPort));
        MediaParticipantStatistics stats = default;
        for (int i = 0; i < 200 && stats.RtcpPacketsReceived == 0; i++)
        {
            await Task.Delay(10);
            stats = leg.GetStatistics();
        }

        Assert.Equal(1, stats.RtcpPacketsReceived);
        Assert.Equal(0.25, stats.RemoteFractionLost);
        Assert.Equal(10, stats.RemoteJitterMs); // 80 units at 8 kHz

        Assert.True(await conference.RemoveParticipantAsync(leg));
        bool sawGoodbye = false;
        for (int i = 0; i < 5 && !sawGoodbye; i++)
        {
            var compound = new RtcpCompoundReader(ReceiveCompound(peerRtcp));
            while (compound.TryReadNext(out RtcpPacket packet))
            {
                sawGoodbye |= packet.GoodbyeSsrcCount == 1 && packet.GetGoodbyeSsrc(0) == leg.OutboundSsrc;
            }
        }

        Assert.True(sawGoodbye);
        await conference.DisposeAsync();
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static byte[] ReceiveCompound(Socket socket)
    {
        var buffer = new byte[1500];
        int length = socket.Receive(buffer);
        Assert.True(RtcpCompoundReader.IsValidCompound(buffer.AsSpan(0, length)));
        return buffer.AsSpan(0, length).ToArray();
    }
}
