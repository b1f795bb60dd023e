using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Relay;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Tests.Relay;

/// <summary>
/// A proxying node's relay (R43, R59) with real UDP sockets on loopback: an "endpoint" socket on the outer side, a
/// "leg" socket standing for the transcoding node on the inner side.
/// </summary>
public sealed class RtpRelayTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly RtpPortAllocator _ports = new(new PortRange(47600, 47699));
    private readonly UdpClient _endpoint = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpClient _leg = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly UdpClient _stranger = new(new IPEndPoint(IPAddress.Loopback, 0));

    private static byte[] Rtp(byte marker) => [0x80, 0x00, 0x00, marker, 0, 0, 0, 0, 0, 0, 0, 1, marker, marker];

    private static IPEndPoint Local(UdpClient socket) => (IPEndPoint)socket.Client.LocalEndPoint!;

    private static async Task<UdpReceiveResult> ReceiveAsync(UdpClient socket)
    {
        using var timeout = new CancellationTokenSource(Wait);
        return await socket.ReceiveAsync(timeout.Token);
    }

    private static async Task<bool> NothingArrivesAsync(UdpClient socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        try
        {
            await socket.ReceiveAsync(timeout.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    [Fact]
    public async Task Relays_rtp_both_ways_and_each_side_sees_only_the_relays_own_ports()
    {
        await using var relay = RtpRelay.Start(IPAddress.Loopback, _ports, Local(_endpoint));
        relay.SetMediaLeg(Local(_leg));

        await _endpoint.SendAsync(Rtp(1), new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort));
        var atLeg = await ReceiveAsync(_leg);
        Assert.Equal(Rtp(1), atLeg.Buffer);
        Assert.Equal(relay.InnerRtpPort, atLeg.RemoteEndPoint.Port);

        await _leg.SendAsync(Rtp(2), new IPEndPoint(IPAddress.Loopback, relay.InnerRtpPort));
        var atEndpoint = await ReceiveAsync(_endpoint);
        Assert.Equal(Rtp(2), atEndpoint.Buffer);
        Assert.Equal(relay.OuterRtpPort, atEndpoint.RemoteEndPoint.Port);

        var statistics = relay.GetStatistics();
        Assert.Equal((1L, 1L, 0L), (statistics.RtpFromEndpoint, statistics.RtpToEndpoint, statistics.Dropped));
        Assert.Equal(Local(_endpoint).ToString(), statistics.EndpointAddress);
    }

    [Fact]
    public async Task Latches_onto_where_the_endpoints_rtp_really_comes_from_RFC_4961()
    {
        // The SDP names a port nobody listens on (a NAT rewrote it): the endpoint's first packet shows the real one.
        var wrong = new IPEndPoint(IPAddress.Loopback, Local(_stranger).Port);
        _stranger.Dispose();
        await using var relay = RtpRelay.Start(IPAddress.Loopback, _ports, wrong);
        relay.SetMediaLeg(Local(_leg));
        await _endpoint.SendAsync(Rtp(1), new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort));
        await ReceiveAsync(_leg);

        await _leg.SendAsync(Rtp(2), new IPEndPoint(IPAddress.Loopback, relay.InnerRtpPort));
        Assert.Equal(Rtp(2), (await ReceiveAsync(_endpoint)).Buffer);
        Assert.Equal(Local(_endpoint).ToString(), relay.GetStatistics().EndpointAddress);
    }

    [Fact]
    public async Task Drops_what_does_not_come_from_the_leg_or_the_latched_endpoint_and_what_is_not_rtp()
    {
        await using var relay = RtpRelay.Start(IPAddress.Loopback, _ports, Local(_endpoint));
        relay.SetMediaLeg(Local(_leg));
        await _endpoint.SendAsync(Rtp(1), new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort));
        await ReceiveAsync(_leg);

        await _stranger.SendAsync(Rtp(9), new IPEndPoint(IPAddress.Loopback, relay.InnerRtpPort));    // posing as the leg
        await _stranger.SendAsync(Rtp(9), new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort));    // after the endpoint latched
        await _endpoint.SendAsync("not rtp"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort));
        // The relay counts a drop when its receive loop gets to the packet: wait for the three (bounded), then check that
        // nothing was let through meanwhile.
        using (var timeout = new CancellationTokenSource(Wait))
        {
            while (relay.GetStatistics().Dropped < 3)
                await Task.Delay(10, timeout.Token);
        }
        Assert.True(await NothingArrivesAsync(_endpoint));
        Assert.True(await NothingArrivesAsync(_leg));
        Assert.Equal(3, relay.GetStatistics().Dropped);
    }

    [Fact]
    public async Task Relays_rtcp_on_the_next_ports_and_gives_every_port_back_when_disposed()
    {
        using var endpointRtcp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var legRtcp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var relay = RtpRelay.Start(IPAddress.Loopback, _ports, Local(_endpoint), Local(endpointRtcp));
        Assert.Equal(2, _ports.Allocated);
        relay.SetMediaLeg(Local(_leg), Local(legRtcp));
        byte[] report = [0x81, 200, 0, 1, 0, 0, 0, 1];

        await legRtcp.SendAsync(report, new IPEndPoint(IPAddress.Loopback, relay.InnerRtpPort + 1));
        var atEndpoint = await ReceiveAsync(endpointRtcp);
        Assert.Equal(report, atEndpoint.Buffer);
        Assert.Equal(relay.OuterRtpPort + 1, atEndpoint.RemoteEndPoint.Port);
        await endpointRtcp.SendAsync(report, new IPEndPoint(IPAddress.Loopback, relay.OuterRtpPort + 1));
        Assert.Equal(report, (await ReceiveAsync(legRtcp)).Buffer);
        Assert.Equal((1L, 1L), (relay.GetStatistics().RtcpFromEndpoint, relay.GetStatistics().RtcpToEndpoint));

        await relay.DisposeAsync();
        Assert.Equal(0, _ports.Allocated);
    }

    public void Dispose()
    {
        _endpoint.Dispose();
        _leg.Dispose();
        _stranger.Dispose();
    }
}
