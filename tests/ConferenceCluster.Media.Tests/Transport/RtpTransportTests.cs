using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Tests.Transport;

public class RtpTransportTests
{
    [Fact]
    public void Symmetric_rtp_learns_the_remote_from_the_first_packet_and_replies_there()
    {
        var allocator = new RtpPortAllocator(new PortRange(43000, 43099));
        using RtpTransport transport = RtpTransport.Bind(IPAddress.Loopback, allocator, symmetricRtp: true);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        peer.ReceiveTimeout = 2000;

        Assert.Equal(0, transport.LocalRtpPort % 2);
        Assert.Equal(1, allocator.Allocated);
        Assert.False(transport.HasRemote);
        Assert.False(transport.SendRtp([1, 2, 3])); // nowhere to send yet

        peer.SendTo(new byte[] { 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, new IPEndPoint(IPAddress.Loopback, transport.LocalRtpPort));
        var buffer = new byte[1500];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        int received = ReceiveWithin(transport, buffer, source);
        Assert.Equal(12, received);
        Assert.False(transport.HasRemote); // receiving alone does not latch: the owner confirms valid RTP first

        transport.ConfirmRtpSource(source);
        Assert.Equal(peer.LocalEndPoint, transport.RemoteRtpEndPoint);
        Assert.Equal(((IPEndPoint)peer.LocalEndPoint!).Port + 1, transport.RemoteRtcpEndPoint!.Port);

        Assert.True(transport.SendRtp([9, 8, 7]));
        var reply = new byte[16];
        Assert.Equal(3, peer.Receive(reply));
        Assert.Equal(9, reply[0]);

        transport.Dispose();
        Assert.Equal(0, allocator.Allocated);
    }

    /// <summary>
    /// Linux reports the size of the next datagram as "available": a zero-length datagram must still be read (and
    /// dropped), or it would sit at the head of the queue and stop the leg from ever receiving again.
    /// </summary>
    [Fact]
    public void A_zero_length_datagram_does_not_stall_the_socket()
    {
        var allocator = new RtpPortAllocator(new PortRange(43300, 43399));
        using RtpTransport transport = RtpTransport.Bind(IPAddress.Loopback, allocator);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, transport.LocalRtpPort);
        peer.SendTo(Array.Empty<byte>(), server);
        peer.SendTo(new byte[] { 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, server);

        var buffer = new byte[1500];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        Assert.Equal(0, ReceiveWithin(transport, buffer, source)); // the empty one: read and dropped
        Assert.Equal(12, ReceiveWithin(transport, buffer, source));
    }

    [Fact]
    public void A_source_with_port_zero_is_never_latched_onto()
    {
        // SIPp 3.6's pcap replay sends RTP with UDP source port 0 (a raw socket): nothing can be sent back there.
        Assert.False(RtpTransport.CanReplyTo(new IPEndPoint(IPAddress.Loopback, 0).Serialize()));
        Assert.True(RtpTransport.CanReplyTo(new IPEndPoint(IPAddress.Loopback, 26000).Serialize()));
        Assert.False(RtpTransport.CanReplyTo(new IPEndPoint(IPAddress.IPv6Loopback, 0).Serialize()));
        Assert.True(RtpTransport.CanReplyTo(new IPEndPoint(IPAddress.IPv6Loopback, 26000).Serialize()));
    }

    [Fact]
    public void Without_symmetric_rtp_the_sdp_address_is_kept()
    {
        var allocator = new RtpPortAllocator(new PortRange(43100, 43199));
        using RtpTransport transport = RtpTransport.Bind(IPAddress.Loopback, allocator, symmetricRtp: false);
        var sdpRemote = new IPEndPoint(IPAddress.Loopback, 9);
        transport.SetRemote(sdpRemote);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        peer.SendTo(new byte[12], new IPEndPoint(IPAddress.Loopback, transport.LocalRtpPort));
        var source = new SocketAddress(AddressFamily.InterNetwork);
        ReceiveWithin(transport, new byte[64], source);
        transport.ConfirmRtpSource(source);
        Assert.Equal(sdpRemote, transport.RemoteRtpEndPoint);
    }

    [Fact]
    public void Bind_skips_ports_held_by_someone_else_and_fails_clearly_when_the_range_is_exhausted()
    {
        var range = new PortRange(43200, 43203); // two pairs
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 43201)); // the first pair's RTCP port
        var allocator = new RtpPortAllocator(range);

        using RtpTransport transport = RtpTransport.Bind(IPAddress.Loopback, allocator);
        Assert.Equal(43202, transport.LocalRtpPort);
        Assert.Equal(1, allocator.Allocated);
        Assert.Throws<MediaPortsExhaustedException>(() => RtpTransport.Bind(IPAddress.Loopback, allocator));
    }

    private static int ReceiveWithin(RtpTransport transport, byte[] buffer, SocketAddress source)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int received = transport.TryReceiveRtp(buffer, source);
            if (received >= 0)
            {
                return received;
            }

            Thread.Sleep(10);
        }

        throw new TimeoutException("Nothing arrived on the RTP socket within 2 s.");
    }
}
