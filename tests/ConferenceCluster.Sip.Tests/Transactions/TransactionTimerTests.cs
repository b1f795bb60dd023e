using System.Net;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Tests.Support;
using ConferenceCluster.Sip.Transactions;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.Transactions;

/// <summary>
/// Timer behaviour of RFC 3261 17 and 13.3.1.4 over real UDP sockets, with a manual clock: the
/// schedule is asserted by moving the clock, never by waiting.
/// </summary>
public class TransactionTimerTests
{
    private static readonly SipTimerOptions Timers = new();
    private static readonly TimeSpan T1 = Timers.T1;

    /// <summary>Nothing more arrives: an OPTIONS probe's 200 is the next message the peer sees.</summary>
    private static void AssertQuiet(SipTestPeer peer, TestDialog dialog)
    {
        dialog.SendRequest(SipMethods.Options);
        var next = peer.Receive();
        var response = Assert.IsType<SipResponse>(next);
        Assert.Equal(SipMethods.Options, response.CSeq?.Method);
    }

    [Fact]
    public async Task Rfc3261_13_3_1_4_2xx_is_retransmitted_at_T1_doubling_to_T2_until_the_ACK()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        peer.ExpectResponse(100, SipMethods.Invite);
        var first = dialog.ExpectInviteFinal(200);

        // T1, 2*T1, 4*T1, then capped at T2 = 8*T1: 500 ms, 1 s, 2 s, 4 s, 4 s.
        foreach (var interval in new[] { T1, 2 * T1, 4 * T1, Timers.T2, Timers.T2 })
        {
            fixture.Clock.Advance(interval - TimeSpan.FromMilliseconds(1));
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
            var again = Assert.IsType<SipResponse>(peer.Receive());
            Assert.Equal(200, again.StatusCode);
            Assert.Equal(first.To!.Tag, again.To!.Tag);
        }

        dialog.SendAck2xx();
        var call = await TestCallHandler.Next(fixture.Handler.Established);
        Assert.Equal(SipCallState.Established, call.State);

        fixture.Clock.Advance(TimeSpan.FromSeconds(40));
        AssertQuiet(peer, dialog);
        Assert.Equal(SipCallState.Established, call.State);
    }

    [Fact]
    public async Task Rfc3261_13_3_1_4_without_ACK_for_64T1_the_call_is_ended_with_BYE()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        dialog.ExpectInviteFinal(200);

        fixture.Clock.Advance(Timers.TransactionTimeout);

        var retransmissions = 0;
        SipRequest? bye = null;
        for (var i = 0; i < 30 && bye is null; i++)
        {
            switch (peer.Receive())
            {
                case SipResponse { StatusCode: 200 }:
                    retransmissions++;
                    break;
                case SipRequest { Method: SipMethods.Bye } request:
                    bye = request;
                    break;
            }
        }
        Assert.NotNull(bye);
        // 0.5, 1.5, 3.5, 7.5, 11.5, ... 31.5 s: 10 retransmissions before 32 s.
        Assert.Equal(10, retransmissions);
        Assert.Equal(dialog.FromTag, bye!.To!.Tag);
        Assert.Equal(dialog.ToTag, bye.From!.Tag);
        Assert.Equal(dialog.CallId, bye.CallId);
        Assert.Equal($"sip:alice@127.0.0.1:{peer.LocalEndPoint.Port}", bye.RequestUri.ToString()); // the INVITE's Contact (12.2.1.1)

        var (_, reason) = await TestCallHandler.Next(fixture.Handler.Ended);
        Assert.Equal(SipCallEndReason.AckTimeout, reason);
        dialog.Respond(bye, 200);
    }

    [Fact]
    public async Task Rfc3261_17_2_1_non_2xx_final_is_retransmitted_by_Timer_G_and_the_ACK_stops_it()
    {
        var handler = new TestCallHandler { Decide = (_, _) => Task.FromResult(IncomingCallDecision.Reject(486)) };
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        var busy = dialog.ExpectInviteFinal(486);
        Assert.NotNull(busy.To!.Tag);

        fixture.Clock.Advance(T1);
        Assert.Equal(486, Assert.IsType<SipResponse>(peer.Receive()).StatusCode);
        fixture.Clock.Advance(2 * T1);
        Assert.Equal(486, Assert.IsType<SipResponse>(peer.Receive()).StatusCode);

        dialog.SendAckNon2xx(); // absorbed by the transaction: Confirmed, then Timer I
        AssertQuiet(peer, dialog); // one receive loop: once the probe is answered, the ACK has been processed
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        AssertQuiet(peer, dialog);
        Assert.Equal(1, handler.InviteCount);
        var (_, reason) = await TestCallHandler.Next(handler.Ended);
        Assert.Equal(SipCallEndReason.Rejected, reason);
    }

    [Fact]
    public async Task Rfc3261_17_2_1_Timer_H_gives_up_waiting_for_the_ACK_of_a_non_2xx()
    {
        var handler = new TestCallHandler { Decide = (_, _) => Task.FromResult(IncomingCallDecision.Reject(404)) };
        await using var fixture = new EndpointFixture(handler);
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        dialog.ExpectInviteFinal(404);

        fixture.Clock.Advance(Timers.TransactionTimeout);
        var retransmissions = 0;
        while (peer.TryReceive(TimeSpan.FromMilliseconds(300)) is SipResponse { StatusCode: 404 }) retransmissions++;
        Assert.Equal(10, retransmissions); // Timer G at 0.5, 1.5, 3.5, 7.5, then every T2 until 32 s
        Assert.Equal(0, fixture.Endpoint.Transactions.ServerTransactionCount);

        fixture.Clock.Advance(TimeSpan.FromSeconds(60));
        AssertQuiet(peer, dialog);
    }

    [Fact]
    public async Task Rfc3261_17_2_2_Timer_J_keeps_the_final_response_for_retransmissions_then_ends_the_transaction()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        var options = dialog.SendRequest(SipMethods.Options);
        var first = peer.ExpectResponse(200, SipMethods.Options);
        Assert.Equal(1, fixture.Endpoint.Transactions.ServerTransactionCount);

        peer.Send(options); // a retransmission: the same response again, from the transaction
        var again = peer.ExpectResponse(200, SipMethods.Options);
        Assert.Equal(first.ToString(), again.ToString());

        fixture.Clock.Advance(Timers.TransactionTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fixture.Endpoint.Transactions.ServerTransactionCount);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, fixture.Endpoint.Transactions.ServerTransactionCount);
    }

    [Fact]
    public async Task Rfc3261_17_1_2_Timer_E_retransmits_doubling_to_T2_and_Timer_F_completes_with_408()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var request = NewOptions(peer);
        var transaction = fixture.Endpoint.Transactions.SendRequest(request, new SipPeer(SipProtocol.Udp, peer.LocalEndPoint));
        Assert.Equal(SipMethods.Options, Assert.IsType<SipRequest>(peer.Receive()).Method);

        foreach (var interval in new[] { T1, 2 * T1, 4 * T1, Timers.T2, Timers.T2 })
        {
            fixture.Clock.Advance(interval);
            Assert.Equal(SipMethods.Options, Assert.IsType<SipRequest>(peer.Receive()).Method);
        }
        Assert.False(transaction.FinalResponse.IsCompleted);

        fixture.Clock.Advance(Timers.TransactionTimeout);
        var final = await transaction.FinalResponse.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(408, final.StatusCode);
        Assert.Equal(0, fixture.Endpoint.Transactions.ClientTransactionCount);
    }

    [Fact]
    public async Task Rfc3261_17_1_2_a_provisional_response_keeps_Timer_E_at_T2_and_the_final_completes_the_transaction()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var request = NewOptions(peer);
        var transaction = fixture.Endpoint.Transactions.SendRequest(request, new SipPeer(SipProtocol.Udp, peer.LocalEndPoint));
        var received = Assert.IsType<SipRequest>(peer.Receive());

        peer.Send(SipResponseFactory.CreateResponse(received, 180));
        fixture.Clock.Advance(T1); // a retransmission still goes out at T1 ...
        Assert.IsType<SipRequest>(peer.Receive());
        fixture.Clock.Advance(Timers.T2); // ... and from then on every T2 (17.1.2.2 Proceeding)
        Assert.IsType<SipRequest>(peer.Receive());

        peer.Send(SipResponseFactory.CreateResponse(received, 200));
        var final = await transaction.FinalResponse.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(200, final.StatusCode);
        fixture.Clock.Advance(Timers.T4); // Timer K
        Assert.Equal(0, fixture.Endpoint.Transactions.ClientTransactionCount);
    }

    [Fact]
    public async Task Rfc3261_17_1_1_re_INVITE_without_answer_times_out_with_Timer_B_and_the_call_ends()
    {
        await using var fixture = new EndpointFixture();
        using var peer = fixture.UdpPeer();
        var dialog = new TestDialog(peer);
        dialog.SendInvite();
        dialog.ExpectInviteFinal(200);
        dialog.SendAck2xx();
        var call = await TestCallHandler.Next(fixture.Handler.Established);

        var reInvite = call.ReInviteAsync(TestCallHandler.AnswerOffer(System.Text.Encoding.UTF8.GetBytes(TestDialog.Offer)).Sdp);
        Assert.Equal(SipMethods.Invite, peer.ExpectRequest(SipMethods.Invite).Method);
        fixture.Clock.Advance(T1); // Timer A
        Assert.Equal(SipMethods.Invite, peer.ExpectRequest(SipMethods.Invite).Method);
        fixture.Clock.Advance(2 * T1);
        Assert.Equal(SipMethods.Invite, peer.ExpectRequest(SipMethods.Invite).Method);

        fixture.Clock.Advance(Timers.TransactionTimeout); // Timer B
        var result = await reInvite.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(408, result.StatusCode);
        peer.ExpectRequest(SipMethods.Bye); // 12.2.1.2: a 408 to a request in the dialog ends it
        var (_, reason) = await TestCallHandler.Next(fixture.Handler.Ended);
        Assert.Equal(SipCallEndReason.ReInviteFailed, reason);
    }

    private static SipRequest NewOptions(SipTestPeer peer)
    {
        var request = new SipRequest(SipMethods.Options, SipUri.Create("127.0.0.1", "bob", peer.LocalEndPoint.Port));
        request.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:5060;branch={SipTransactionKey.NewBranch()};rport");
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, "<sip:probe@127.0.0.1>;tag=p1");
        request.Headers.Add(SipHeaderNames.To, "<sip:bob@127.0.0.1>");
        request.Headers.Add(SipHeaderNames.CallId, Guid.NewGuid().ToString("N"));
        request.Headers.Add(SipHeaderNames.CSeq, "1 OPTIONS");
        return request;
    }
}
