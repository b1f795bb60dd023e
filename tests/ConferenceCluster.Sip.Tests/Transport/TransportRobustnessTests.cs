using System.Net;
using System.Net.Sockets;
using System.Text;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Tests.Support;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.Transport;

/// <summary>
/// Bad input over real sockets (DESIGN 7: a malformed message gets 400 or is dropped, nothing crashes):
/// the listener answers what it can, drops the rest, and keeps serving.
/// </summary>
public class TransportRobustnessTests
{
    private static string MalformedInvite(SipTestPeer peer, int port) =>
        $"INVITE sip:meet@127.0.0.1:{port} SIP/2.0\r\n" +
        $"Via: SIP/2.0/{peer.Transport} 127.0.0.1:{peer.LocalEndPoint.Port};branch=z9hG4bKbad1;rport\r\n" +
        "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:meet@127.0.0.1>\r\nCall-ID: bad1\r\n" +
        "CSeq: 1 OPTIONS\r\n" + // RFC 4475 3.1.2.17: CSeq method differs from the Request-Line's
        "Content-Length: 0\r\n\r\n";

    [Fact]
    public async Task Rfc3261_8_2_malformed_request_over_UDP_gets_400()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        peer.Send(MalformedInvite(peer, fixture.Endpoint.Port));
        var response = Assert.IsType<SipResponse>(peer.Receive());
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("bad1", response.CallId);
        Assert.Equal(0, fixture.Handler.InviteCount);
    }

    [Fact]
    public async Task Rfc3261_8_2_2_foreign_SIP_version_gets_505()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        peer.Send(MalformedInvite(peer, fixture.Endpoint.Port).Replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE").Replace(" SIP/2.0\r\n", " SIP/7.0\r\n"));
        Assert.Equal(505, Assert.IsType<SipResponse>(peer.Receive()).StatusCode);
    }

    [Fact]
    public async Task Rfc3261_8_2_malformed_request_over_TCP_gets_400_and_the_connection_stays_usable()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.TcpPeer();
        peer.Send(MalformedInvite(peer, fixture.Endpoint.Port));
        Assert.Equal(400, Assert.IsType<SipResponse>(peer.Receive()).StatusCode);
        new TestDialog(peer).SendRequest(SipMethods.Options); // framing was intact: same connection
        peer.ExpectResponse(200, SipMethods.Options);
    }

    [Fact]
    public async Task Rfc4475_3_1_2_3_TCP_request_with_unusable_Content_Length_gets_400_and_the_connection_is_closed()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.TcpPeer();
        var text = new TestDialog(peer).Build(SipMethods.Options, TestDialog.NewBranch(), 1).Replace("Content-Length: 0", "Content-Length: zero");
        peer.Send(text);
        var response = Assert.IsType<SipResponse>(peer.Receive());
        Assert.Equal(400, response.StatusCode);
        Assert.True(peer.WaitForClose(), "the connection should be closed once framing is lost");

        using var next = fixture.TcpPeer(); // the listener itself is fine
        new TestDialog(next).SendRequest(SipMethods.Options);
        next.ExpectResponse(200, SipMethods.Options);
    }

    [Fact]
    public async Task Rfc3261_18_3_TCP_messages_split_and_coalesced_are_framed_by_Content_Length()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.TcpPeer();
        var dialog = new TestDialog(peer);
        var one = dialog.Build(SipMethods.Options, TestDialog.NewBranch(), 1);
        var two = dialog.Build(SipMethods.Info, TestDialog.NewBranch(), 2, "Signal=1\r\n", "application/dtmf-relay");
        var bytes = Encoding.UTF8.GetBytes("\r\n\r\n" + one + two);
        // Byte by byte for the first part, then the rest in one go.
        for (var i = 0; i < 40; i++) peer.Send(bytes[i..(i + 1)]);
        peer.Send(bytes[40..]);
        peer.ExpectResponse(200, SipMethods.Options);
        peer.ExpectResponse(481, SipMethods.Info); // no such dialog: but it was framed and answered
    }

    [Fact]
    public async Task Garbage_datagrams_are_dropped_and_the_listener_keeps_serving()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var random = new Random(4475);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 1500)];
            random.NextBytes(garbage);
            peer.Send(garbage);
        }
        peer.Send("\r\n\r\n"); // keep-alive
        peer.Send("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnone\r\n\r\n"); // a response nobody asked for
        peer.Send("INVITE sip:x@y SIP/2.0\r\nContent-Length: 0\r\n\r\n"); // no Via: nothing to answer to

        // UDP may lose the probe if the flood filled the socket buffer; a UAC retransmits, so do we.
        var probe = new TestDialog(peer).Build(SipMethods.Options, TestDialog.NewBranch(), 1);
        SipMessage? answer = null;
        for (var attempt = 0; attempt < 5 && answer is null; attempt++)
        {
            peer.Send(probe);
            answer = peer.TryReceive(TimeSpan.FromSeconds(2));
        }
        var response = Assert.IsType<SipResponse>(answer);
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task Oversized_TCP_header_section_closes_the_connection_without_stalling_others()
    {
        await using var fixture = new EndpointFixture();
        using var bad = fixture.TcpPeer();
        bad.Send("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n" + string.Concat(Enumerable.Repeat("X-Filler: " + new string('a', 1000) + "\r\n", 80)));
        Assert.True(bad.WaitForClose());

        using var good = fixture.UdpPeer();
        new TestDialog(good).SendRequest(SipMethods.Options);
        good.ExpectResponse(200, SipMethods.Options);
    }

    [Fact]
    public async Task Port_zero_binds_UDP_and_TCP_to_the_same_ephemeral_port()
    {
        await using var fixture = new EndpointFixture();
        Assert.NotEqual(0, fixture.Endpoint.Port);
        Assert.Equal(fixture.Endpoint.Port, fixture.Endpoint.UdpEndPoint!.Port);
        Assert.Equal(fixture.Endpoint.Port, fixture.Endpoint.TcpEndPoint!.Port);
        Assert.Equal(IPAddress.Loopback, fixture.Endpoint.UdpEndPoint.Address);
    }

    [Fact]
    public async Task A_throwing_handler_gets_the_caller_a_500_and_the_endpoint_keeps_serving()
    {
        var handler = new TestCallHandler { Decide = (_, _) => throw new InvalidOperationException("boom") };
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        dialog.ExpectInviteFinal(500);
        var (_, reason) = await TestCallHandler.Next(handler.Ended);
        Assert.Equal(SipCallEndReason.HandlerFailed, reason);
        new TestDialog(peer).SendRequest(SipMethods.Options);
        peer.ExpectResponse(200, SipMethods.Options);
    }
}
