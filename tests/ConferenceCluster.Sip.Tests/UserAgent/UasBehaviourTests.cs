using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.Tests.Support;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.UserAgent;

/// <summary>The UAS core against a hand-driven peer over real UDP and TCP sockets on 127.0.0.1.</summary>
public class UasBehaviourTests
{
    private static async Task<(SipTestPeer Peer, TestDialog Dialog, SipCall Call)> EstablishAsync(EndpointFixture fixture, bool tcp = false)
    {
        var peer = tcp ? fixture.TcpPeer() : fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        dialog.ExpectInviteFinal(200);
        dialog.SendAck2xx();
        var call = await TestCallHandler.Next(fixture.Handler.Established);
        return (peer, dialog, call);
    }

    [Fact]
    public async Task Rfc3261_13_3_1_accepted_INVITE_gets_100_then_200_with_tag_Contact_and_SDP_answer()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        peer.ExpectResponse(100, SipMethods.Invite);
        var ok = dialog.ExpectInviteFinal(200);

        Assert.False(string.IsNullOrEmpty(ok.To!.Tag));
        Assert.Single(ok.Contacts);
        Assert.Equal("application/sdp", ok.ContentType);
        Assert.True(SdpSessionDescription.TryParse(ok.Body.Span, out var answer, out _));
        Assert.Equal(41000, answer!.Media[0].Port);
        Assert.Contains("INVITE", ok.Headers.GetAll(SipHeaderNames.Allow));
        // RFC 3581 4: our answer went to the source port and the Via says so.
        Assert.Equal(peer.LocalEndPoint.Port, ok.TopVia!.Rport);
        Assert.Equal("127.0.0.1", ok.TopVia.Received);

        dialog.SendAck2xx();
        var call = await TestCallHandler.Next(fixture.Handler.Established);
        Assert.Equal(dialog.CallId, call.CallId);
        Assert.Equal(ok.To.Tag, call.LocalTag);
        Assert.Equal(dialog.FromTag, call.RemoteTag);
        Assert.Equal(Encoding.UTF8.GetString(ok.Body.Span), Encoding.UTF8.GetString(call.LocalSdp.Span));
        Assert.Equal(TestDialog.Offer, Encoding.UTF8.GetString(call.RemoteSdp.Span));
    }

    [Fact]
    public async Task Rfc3261_17_2_3_retransmitted_INVITE_is_absorbed_and_makes_one_call()
    {
        var gate = new TaskCompletionSource();
        var handler = new TestCallHandler();
        handler.Decide = async (call, _) =>
        {
            await gate.Task;
            return TestCallHandler.AnswerOffer(call.Offer);
        };
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        var invite = dialog.SendInvite();
        peer.ExpectResponse(100, SipMethods.Invite);
        peer.Send(invite);
        peer.Send(invite);
        // Proceeding: each retransmission gets the last provisional response again (17.2.1).
        peer.ExpectResponse(100, SipMethods.Invite);
        peer.ExpectResponse(100, SipMethods.Invite);

        gate.SetResult();
        dialog.ExpectInviteFinal(200);
        peer.Send(invite); // Accepted (RFC 6026): absorbed, the 2xx retransmissions are the core's job
        dialog.SendAck2xx();
        await TestCallHandler.Next(handler.Established);
        Assert.Equal(1, handler.InviteCount);
        Assert.Single(fixture.Endpoint.Calls);
    }

    [Fact]
    public async Task Rfc3261_9_2_CANCEL_gets_200_and_the_INVITE_487()
    {
        var handler = TestCallHandler.NeverDeciding(out var handlerCancelled);
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        peer.ExpectResponse(100, SipMethods.Invite);
        await TestCallHandler.Next(handler.Invites);

        dialog.SendCancel();
        var responses = new[] { peer.Receive(), peer.Receive() }.Cast<SipResponse>().ToList();
        Assert.Contains(responses, r => r.StatusCode == 200 && r.CSeq?.Method == SipMethods.Cancel);
        var terminated = Assert.Single(responses, r => r.CSeq?.Method == SipMethods.Invite);
        Assert.Equal(487, terminated.StatusCode);

        await handlerCancelled.WaitAsync(TimeSpan.FromSeconds(5));
        var (_, reason) = await TestCallHandler.Next(handler.Ended);
        Assert.Equal(SipCallEndReason.Cancelled, reason);
        dialog.ToTag = terminated.To!.Tag;
        dialog.SendAckNon2xx();
        Assert.Empty(fixture.Endpoint.Calls);
    }

    [Fact]
    public async Task Rfc3261_9_2_CANCEL_matching_no_transaction_gets_481()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        peer.Send(dialog.Build(SipMethods.Cancel, TestDialog.NewBranch(), 1));
        peer.ExpectResponse(481, SipMethods.Cancel);
    }

    [Fact]
    public async Task Rfc3261_15_1_2_BYE_gets_200_and_ends_the_call()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, call) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        dialog.SendRequest(SipMethods.Bye);
        peer.ExpectResponse(200, SipMethods.Bye);
        var (ended, reason) = await TestCallHandler.Next(fixture.Handler.Ended);
        Assert.Same(call, ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, reason);
        Assert.Equal(SipCallState.Ended, call.State);
        Assert.Equal(SipCallEndReason.RemoteHangUp, await call.Ended.WaitAsync(TimeSpan.FromSeconds(5)));

        dialog.SendRequest(SipMethods.Bye); // the dialog is gone now (12.2.2)
        peer.ExpectResponse(481, SipMethods.Bye);
    }

    [Fact]
    public async Task Rfc3261_12_2_2_request_for_an_unknown_dialog_gets_481()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer) { ToTag = "nosuchtag" };
        dialog.SendRequest(SipMethods.Bye);
        peer.ExpectResponse(481, SipMethods.Bye);
        dialog.SendRequest(SipMethods.Info, "Signal=1\r\n", "application/dtmf-relay");
        peer.ExpectResponse(481, SipMethods.Info);
    }

    [Fact]
    public async Task Rfc3261_11_2_OPTIONS_outside_a_dialog_gets_200_with_Allow_Accept_Supported()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        new TestDialog(peer).SendRequest(SipMethods.Options);
        var ok = peer.ExpectResponse(200, SipMethods.Options);
        Assert.Equal(["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO"], ok.Headers.GetAll(SipHeaderNames.Allow));
        Assert.Contains("application/sdp", ok.Headers.GetAll(SipHeaderNames.Accept));
        Assert.True(ok.Headers.Contains(SipHeaderNames.Supported));
        Assert.NotNull(ok.To!.Tag);
    }

    [Fact]
    public async Task Rfc3261_11_2_OPTIONS_inside_a_dialog_gets_200()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, _) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        dialog.SendRequest(SipMethods.Options);
        var ok = peer.ExpectResponse(200, SipMethods.Options);
        Assert.Equal(dialog.ToTag, ok.To!.Tag);
        Assert.Contains("INFO", ok.Headers.GetAll(SipHeaderNames.Allow));
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("application/dtmf-relay", "Signal=#\r\nDuration=100\r\n", '#', 100)]
    [InlineData("application/dtmf", "7", '7', -1)]
    public async Task Rfc2976_INFO_with_DTMF_gets_200_and_reaches_the_handler(string contentType, string body, char digit, int durationMs)
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, _) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        dialog.SendRequest(SipMethods.Info, body, contentType);
        peer.ExpectResponse(200, SipMethods.Info);
        var received = await TestCallHandler.Next(fixture.Handler.Digits);
        Assert.Equal(digit, received.Digit);
        Assert.Equal(durationMs < 0 ? null : TimeSpan.FromMilliseconds(durationMs), received.Duration);
    }

    [Fact]
    public async Task Rfc3261_8_2_3_INFO_with_a_body_we_do_not_understand_gets_415()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, _) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        dialog.SendRequest(SipMethods.Info, "<xml/>", "application/media_control+xml");
        var refused = peer.ExpectResponse(415, SipMethods.Info);
        Assert.Contains("application/dtmf-relay", refused.Headers.GetAll(SipHeaderNames.Accept));
    }

    [Fact]
    public async Task Rfc3261_14_2_re_INVITE_from_the_peer_gets_a_new_answer()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, call) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        var newOffer = TestDialog.Offer.Replace("m=audio 40000", "m=audio 40100").Replace("o=alice 1 1", "o=alice 1 2");
        dialog.SendInvite(newOffer);
        var ok = dialog.ExpectInviteFinal(200);
        Assert.True(SdpSessionDescription.TryParse(ok.Body.Span, out var answer, out _));
        Assert.Equal(2UL, answer!.Origin.SessionVersion);
        dialog.SendAck2xx();

        Assert.Equal(newOffer, Encoding.UTF8.GetString((await TestCallHandler.Next(fixture.Handler.ReInviteOffers)).Span));
        Assert.Equal(newOffer, Encoding.UTF8.GetString(call.RemoteSdp.Span));
        Assert.Equal(SipCallState.Established, call.State);
    }

    [Fact]
    public async Task Rfc3261_14_2_re_INVITE_refused_by_the_handler_keeps_the_call()
    {
        var handler = new TestCallHandler { DecideReInvite = (_, _, _) => Task.FromResult(ReInviteDecision.Reject(488)) };
        await using var fixture = new EndpointFixture(handler);
        var (peer, dialog, call) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        dialog.SendInvite(TestDialog.Offer.Replace("RTP/AVP 0 8 101", "RTP/AVP 18"));
        dialog.ExpectInviteFinal(488);
        dialog.SendAckNon2xx();
        Assert.Equal(SipCallState.Established, call.State);
        Assert.Equal(TestDialog.Offer, Encoding.UTF8.GetString(call.RemoteSdp.Span));
    }

    [Fact]
    public async Task Rfc3261_14_1_re_INVITE_sent_by_us_moves_the_media_and_is_ACKed()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, call) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        var moved = Encoding.UTF8.GetBytes(TestDialog.Offer.Replace("alice", "media2").Replace("40000", "42000"));

        var pending = call.ReInviteAsync(moved);
        var invite = peer.ExpectRequest(SipMethods.Invite);
        Assert.Equal(dialog.FromTag, invite.To!.Tag); // 12.2.1.1: To is the remote party with its tag
        Assert.Equal(dialog.ToTag, invite.From!.Tag);
        Assert.Equal(dialog.CallId, invite.CallId);
        Assert.Equal(moved, invite.Body.ToArray());
        dialog.Respond(invite, 200, TestDialog.Offer.Replace("40000", "40200"));

        var result = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(result.IsSuccess);
        var ack = peer.ExpectRequest(SipMethods.Ack);
        Assert.Equal(invite.CSeq!.Value.Number, ack.CSeq!.Value.Number); // 13.2.2.4: the INVITE's CSeq number
        Assert.NotEqual(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal(moved, call.LocalSdp.ToArray());
        Assert.Contains("m=audio 40200", Encoding.UTF8.GetString(call.RemoteSdp.Span));

        dialog.Respond(invite, 200, TestDialog.Offer.Replace("40000", "40200")); // a retransmitted 2xx is ACKed again
        peer.ExpectRequest(SipMethods.Ack);
    }

    [Fact]
    public async Task Rfc3261_15_1_1_hang_up_sends_BYE_in_the_dialog()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, call) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        var hangUp = call.HangUpAsync();
        var bye = peer.ExpectRequest(SipMethods.Bye);
        Assert.Equal(dialog.FromTag, bye.To!.Tag);
        Assert.Equal(dialog.ToTag, bye.From!.Tag);
        dialog.Respond(bye, 200);
        await hangUp.WaitAsync(TimeSpan.FromSeconds(5));
        var (_, reason) = await TestCallHandler.Next(fixture.Handler.Ended);
        Assert.Equal(SipCallEndReason.LocalHangUp, reason);
    }

    [Theory]
    [InlineData(404, null)]
    [InlineData(486, null)]
    [InlineData(503, 120)]
    public async Task Rfc3261_13_3_1_3_rejection_carries_the_handler_status_and_Retry_After(int status, int? retryAfterSeconds)
    {
        var retryAfter = retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        var handler = new TestCallHandler { Decide = (_, _) => Task.FromResult(IncomingCallDecision.Reject(status, retryAfter: retryAfter)) };
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        var refused = dialog.ExpectInviteFinal(status);
        Assert.Equal(retryAfterSeconds?.ToString(), refused.Headers.GetFirst(SipHeaderNames.RetryAfter));
        dialog.SendAckNon2xx();
        var (_, reason) = await TestCallHandler.Next(handler.Ended);
        Assert.Equal(SipCallEndReason.Rejected, reason);
    }

    [Fact]
    public async Task Rfc3261_13_3_1_provisional_183_with_early_SDP_before_the_200()
    {
        var handler = new TestCallHandler();
        handler.Decide = (call, _) =>
        {
            var answer = TestCallHandler.AnswerOffer(call.Offer);
            Assert.True(call.SendProvisional(180));
            Assert.True(call.SendProvisional(183, answer.Sdp));
            return Task.FromResult(answer);
        };
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        var ringing = peer.ExpectResponse(180, SipMethods.Invite);
        var progress = peer.ExpectResponse(183, SipMethods.Invite);
        Assert.Equal("application/sdp", progress.ContentType);
        var ok = dialog.ExpectInviteFinal(200);
        Assert.Equal(ringing.To!.Tag, ok.To!.Tag); // one dialog: the early one is confirmed (12.1.1)
    }

    [Fact]
    public async Task Rfc3261_8_2_1_unsupported_methods_get_405_and_unknown_ones_501()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendRequest(SipMethods.Register);
        var notAllowed = peer.ExpectResponse(405, SipMethods.Register);
        Assert.NotNull(notAllowed.Headers.GetFirst(SipHeaderNames.Allow));
        dialog.SendRequest("FROB");
        peer.ExpectResponse(501, "FROB");
    }

    [Fact]
    public async Task Rfc3261_8_2_2_3_Require_of_an_unsupported_extension_gets_420()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        new TestDialog(peer).SendRequest(SipMethods.Options, null, null, "Require: 100rel");
        var refused = peer.ExpectResponse(420, SipMethods.Options);
        Assert.Equal("100rel", refused.Headers.GetFirst(SipHeaderNames.Unsupported));
    }

    [Fact]
    public async Task Rfc3261_18_2_2_call_over_TCP_is_answered_on_the_same_connection()
    {
        await using var fixture = new EndpointFixture();
        var (peer, dialog, call) = await EstablishAsync(fixture, tcp: true);
        using var ownedPeer = peer;
        Assert.Equal(SipProtocol.Tcp, call.Flow.Protocol);
        Assert.Equal("tcp", call.Contact.Transport);

        var hangUp = call.HangUpAsync();
        var bye = peer.ExpectRequest(SipMethods.Bye); // on the connection the INVITE came in on
        Assert.Equal("TCP", bye.TopVia!.Transport);
        dialog.Respond(bye, 200);
        await hangUp.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Calls_beyond_MaxCalls_get_503_with_Retry_After()
    {
        var options = new SipEndpointOptions
        {
            Transport = new SipTransportOptions { BindAddress = System.Net.IPAddress.Loopback, Port = 0 },
            MaxCalls = 1,
            OverloadRetryAfter = TimeSpan.FromSeconds(17),
        };
        await using var fixture = new EndpointFixture(options: options);
        var (peer, _, _) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        var second = new TestDialog(peer);
        second.SendInvite();
        var refused = second.ExpectInviteFinal(503);
        Assert.Equal("17", refused.Headers.GetFirst(SipHeaderNames.RetryAfter));
    }

    [Fact]
    public async Task A_handler_that_never_decides_is_timed_out_with_480()
    {
        var handler = TestCallHandler.NeverDeciding(out var cancelled);
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        peer.ExpectResponse(100, SipMethods.Invite);
        await TestCallHandler.Next(handler.Invites);

        fixture.Clock.Advance(fixture.Endpoint.Options.InviteDecisionTimeout);
        dialog.ExpectInviteFinal(480);
        await cancelled.WaitAsync(TimeSpan.FromSeconds(5));
        var (_, reason) = await TestCallHandler.Next(handler.Ended);
        Assert.Equal(SipCallEndReason.HandlerTimeout, reason);
    }

    [Fact]
    public async Task Stopping_the_endpoint_hangs_up_established_calls_with_BYE()
    {
        var fixture = new EndpointFixture();
        var (peer, dialog, call) = await EstablishAsync(fixture);
        using var ownedPeer = peer;
        await fixture.DisposeAsync();
        var bye = peer.ExpectRequest(SipMethods.Bye);
        Assert.Equal(dialog.CallId, bye.CallId);
        Assert.Equal(SipCallEndReason.EndpointStopped, await call.Ended.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
