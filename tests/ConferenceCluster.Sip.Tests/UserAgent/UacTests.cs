using System.Net;
using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.Tests.Support;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.UserAgent;

/// <summary>
/// The UAC (<see cref="SipEndpoint.InviteAsync"/>) against our own UAS, and against a hand-driven peer where the
/// test must control the answer (Record-Route, INFO), all over real UDP on 127.0.0.1 with real clocks.
/// </summary>
public class UacTests
{
    private static OutgoingCallRequest CallTo(int port, string user = "meet.alice") => new()
    {
        RequestUri = SipUri.Create("127.0.0.1", user, port),
        NextHop = new IPEndPoint(IPAddress.Loopback, port),
        From = new SipNameAddress(SipUri.Create("127.0.0.1", "loadtest"), "Load Test"),
        SdpOffer = Encoding.UTF8.GetBytes(TestDialog.Offer),
    };

    [Fact]
    public async Task Rfc3261_13_2_2_4_INVITE_200_is_ACKed_and_both_sides_share_the_dialog()
    {
        await using var uas = new EndpointFixture(realClock: true);
        await using var uac = new EndpointFixture(realClock: true);

        var result = await uac.Endpoint.InviteAsync(CallTo(uas.Endpoint.Port));

        Assert.Equal(200, result.StatusCode);
        Assert.Contains(100, result.ProvisionalStatusCodes);
        var outgoing = Assert.IsType<SipCall>(result.Call);
        Assert.True(outgoing.IsOutgoing);
        Assert.Equal(SipCallState.Established, outgoing.State);
        Assert.True(SdpSessionDescription.TryParse(result.AnswerSdp.Span, out var answer, out _));
        Assert.Equal(41000, answer!.Media[0].Port);

        // The ACK reached the UAS: its call is established, with the same Call-ID and mirrored tags.
        var incoming = await TestCallHandler.Next(uas.Handler.Established);
        Assert.Equal(outgoing.CallId, incoming.CallId);
        Assert.Equal(outgoing.LocalTag, incoming.RemoteTag);
        Assert.Equal(outgoing.RemoteTag, incoming.LocalTag);
        Assert.Equal("loadtest", incoming.RemoteParty.Uri.User);
    }

    [Fact]
    public async Task Rfc3261_21_5_4_503_comes_back_as_the_result_with_its_Retry_After_and_no_call()
    {
        var handler = new TestCallHandler
        {
            Decide = (_, _) => Task.FromResult(IncomingCallDecision.Reject(503, "Capacity Exceeded", TimeSpan.FromSeconds(17))),
        };
        await using var uas = new EndpointFixture(handler, realClock: true);
        await using var uac = new EndpointFixture(realClock: true);

        var result = await uac.Endpoint.InviteAsync(CallTo(uas.Endpoint.Port));

        Assert.Equal(503, result.StatusCode);
        Assert.Equal("Capacity Exceeded", result.ReasonPhrase);
        Assert.Equal(TimeSpan.FromSeconds(17), result.RetryAfter);
        Assert.Null(result.Call);
        Assert.Empty(uac.Endpoint.Calls);
        Assert.Equal(SipCallEndReason.Rejected, (await TestCallHandler.Next(uas.Handler.Ended)).Reason);
    }

    [Fact]
    public async Task Rfc3261_15_BYE_from_the_caller_ends_both_sides()
    {
        await using var uas = new EndpointFixture(realClock: true);
        await using var uac = new EndpointFixture(realClock: true);
        var call = (await uac.Endpoint.InviteAsync(CallTo(uas.Endpoint.Port))).Call!;
        await TestCallHandler.Next(uas.Handler.Established);

        await call.HangUpAsync();

        Assert.Equal(SipCallEndReason.LocalHangUp, await call.Ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, (await TestCallHandler.Next(uas.Handler.Ended)).Reason);
        Assert.Empty(uac.Endpoint.Calls);
    }

    [Fact]
    public async Task Rfc3261_15_BYE_from_the_called_side_reaches_the_callers_handler()
    {
        await using var uas = new EndpointFixture(realClock: true);
        await using var uac = new EndpointFixture(realClock: true);
        var call = (await uac.Endpoint.InviteAsync(CallTo(uas.Endpoint.Port))).Call!;
        var incoming = await TestCallHandler.Next(uas.Handler.Established);

        await incoming.HangUpAsync();

        var (ended, reason) = await TestCallHandler.Next(uac.Handler.Ended);
        Assert.Same(call, ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, reason);
    }

    [Fact]
    public async Task Rfc3261_14_2_reINVITE_from_the_called_side_moving_media_is_answered_by_the_callers_handler()
    {
        await using var uas = new EndpointFixture(realClock: true);
        await using var uac = new EndpointFixture(realClock: true);
        var call = (await uac.Endpoint.InviteAsync(CallTo(uas.Endpoint.Port))).Call!;
        var incoming = await TestCallHandler.Next(uas.Handler.Established);
        var moved = TestDialog.Offer.Replace("m=audio 40000", "m=audio 40100").Replace("o=alice 1 1", "o=alice 1 2");

        var reInvite = await incoming.ReInviteAsync(Encoding.UTF8.GetBytes(moved));

        Assert.True(reInvite.IsSuccess);
        Assert.True(SdpSessionDescription.TryParse(reInvite.AnswerSdp.Span, out var answer, out _));
        Assert.Equal(2UL, answer!.Origin.SessionVersion);
        // The caller saw the new offer and now holds it as the remote description.
        Assert.Contains("m=audio 40100", Encoding.UTF8.GetString((await TestCallHandler.Next(uac.Handler.ReInviteOffers)).Span));
        Assert.Contains("m=audio 40100", Encoding.UTF8.GetString(call.RemoteSdp.Span));
        Assert.Equal(SipCallState.Established, call.State);
    }

    [Fact]
    public async Task Rfc3261_9_1_cancelling_sends_CANCEL_and_the_result_is_487()
    {
        var handler = TestCallHandler.NeverDeciding(out var cancelled);
        await using var uas = new EndpointFixture(handler, realClock: true);
        await using var uac = new EndpointFixture(realClock: true);
        using var cancel = new CancellationTokenSource();

        var invite = uac.Endpoint.InviteAsync(CallTo(uas.Endpoint.Port), cancel.Token);
        await TestCallHandler.Next(handler.Invites);
        cancel.Cancel();

        var result = await invite.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(487, result.StatusCode);
        Assert.Null(result.Call);
        await cancelled.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Rfc3261_12_1_2_route_set_is_the_reversed_Record_Route_and_in_dialog_INFO_reaches_the_handler()
    {
        await using var uac = new EndpointFixture(realClock: true);
        using var peer = SipTestPeer.Udp(uac.Endpoint.Port);
        var request = CallTo(peer.LocalEndPoint.Port);

        var pending = uac.Endpoint.InviteAsync(request);
        var invite = peer.ExpectRequest(SipMethods.Invite);
        Assert.Equal("1 INVITE", invite.Headers.GetFirst(SipHeaderNames.CSeq));
        Assert.StartsWith("z9hG4bK", invite.TopVia!.Branch);
        Assert.False(string.IsNullOrEmpty(invite.From!.Tag));
        Assert.Null(invite.To!.Tag);

        // As a UAS behind two record-routing proxies: the one nearest the caller is last (RFC 3261 16.6 step 4).
        var self = $"sip:127.0.0.1:{peer.LocalEndPoint.Port};lr";
        var ok = SipResponseFactory.CreateResponse(invite, 200, toTag: "uas1");
        ok.Headers.Add(SipHeaderNames.RecordRoute, $"<sip:far.invalid;lr>, <{self}>");
        ok.Headers.Add(SipHeaderNames.Contact, $"<sip:conf@127.0.0.1:{peer.LocalEndPoint.Port}>");
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = Encoding.UTF8.GetBytes(TestDialog.Offer);
        peer.Send(ok);

        var ack = peer.ExpectRequest(SipMethods.Ack);
        var routes = ack.Routes.Select(r => r.Uri.ToString()).ToList();
        Assert.Equal([self, "sip:far.invalid;lr"], routes);
        Assert.Equal($"sip:conf@127.0.0.1:{peer.LocalEndPoint.Port}", ack.RequestUri.ToString());
        Assert.Equal("1 ACK", ack.Headers.GetFirst(SipHeaderNames.CSeq));
        Assert.NotEqual(invite.TopVia.Branch, ack.TopVia!.Branch); // 13.2.2.4: a transaction of its own
        var call = (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Call!;

        // A retransmitted 2xx gets the same ACK again (13.2.2.4).
        peer.Send(ok);
        Assert.Equal(ack.TopVia.Branch, peer.ExpectRequest(SipMethods.Ack).TopVia!.Branch);

        // The called side sends an INFO with a digit (RFC 6086), From its tag, To ours.
        var info = new SipRequest(SipMethods.Info, SipUri.Create("127.0.0.1", "loadtest", uac.Endpoint.Port));
        info.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{peer.LocalEndPoint.Port};branch={TestDialog.NewBranch()}");
        info.Headers.Add(SipHeaderNames.MaxForwards, "70");
        info.Headers.Add(SipHeaderNames.From, $"<sip:meet.alice@127.0.0.1>;tag=uas1");
        info.Headers.Add(SipHeaderNames.To, $"<sip:loadtest@127.0.0.1>;tag={call.LocalTag}");
        info.Headers.Add(SipHeaderNames.CallId, call.CallId);
        info.Headers.Add(SipHeaderNames.CSeq, "1 INFO");
        info.Headers.Add(SipHeaderNames.ContentType, "application/dtmf-relay");
        info.Body = "Signal=5\r\nDuration=160\r\n"u8.ToArray();
        peer.Send(info);

        peer.ExpectResponse(200, SipMethods.Info);
        Assert.Equal('5', (await TestCallHandler.Next(uac.Handler.Digits)).Digit);

        // BYE follows the route set too and uses the next CSeq.
        var hangUp = call.HangUpAsync();
        var bye = peer.ExpectRequest(SipMethods.Bye);
        Assert.Equal("2 BYE", bye.Headers.GetFirst(SipHeaderNames.CSeq));
        Assert.Equal(2, bye.Routes.Count);
        peer.Send(SipResponseFactory.CreateResponse(bye, 200));
        await hangUp.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
