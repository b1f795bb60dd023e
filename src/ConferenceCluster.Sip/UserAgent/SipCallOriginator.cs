using System.Globalization;
using System.Net;
using ConferenceCluster.Sip.Dialogs;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transactions;
using ConferenceCluster.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Sip.UserAgent;

/// <summary>
/// The UAC core for new calls (RFC 3261 8.1, 13.2, 9.1): builds the INVITE, runs it through an INVITE client
/// transaction, ACKs the 2xx (13.2.2.4) and hands the dialog to a <see cref="SipCall"/>, which from then on
/// serves requests in both directions exactly as for a call we answered.
/// </summary>
internal sealed class SipCallOriginator
{
    private readonly SipUserAgentCore _core;

    public SipCallOriginator(SipUserAgentCore core) => _core = core;

    /// <summary>
    /// Cancelling <paramref name="cancellationToken"/> sends CANCEL once a provisional response has arrived (9.1)
    /// and still waits for the final response (normally 487); a 2xx that wins the race is ACKed and hung up.
    /// </summary>
    public async Task<OutgoingCallResult> InviteAsync(OutgoingCallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hop = request.NextHop is { } address
            ? new SipPeer(request.Protocol, address)
            : await _core.ResolveNextHopAsync(request.RequestUri, new SipPeer(request.Protocol, new IPEndPoint(IPAddress.Any, 0))).ConfigureAwait(false);
        var invite = CreateInvite(request, hop ?? new SipPeer(request.Protocol, new IPEndPoint(IPAddress.Loopback, 0)), out var contact);
        if (hop is not { } nextHop)
            return new OutgoingCallResult(SipResponseFactory.CreateResponse(invite, 503, "Service Unavailable (next hop not resolvable)"), [], null);

        var provisionals = new List<int>();
        var provisionalSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var transaction = _core.Transactions.SendRequest(invite, nextHop, response =>
        {
            lock (provisionals) provisionals.Add(response.StatusCode);
            provisionalSeen.TrySetResult();
        });
        await using (cancellationToken.Register(() => _ = CancelWhenProceedingAsync(invite, nextHop, transaction, provisionalSeen.Task)).ConfigureAwait(false))
        {
            await transaction.FinalResponse.ConfigureAwait(false);
        }
        var final = transaction.FinalResponse.Result;
        int[] seen;
        lock (provisionals) seen = [.. provisionals];
        if (!final.IsSuccess) return new OutgoingCallResult(final, seen, null);

        var call = new SipCall(_core, SipDialog.CreateAsUac(invite, final, nextHop), invite, final, nextHop, contact);
        _core.RegisterOutgoing(call);
        await call.AcknowledgeAnswerAsync().ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested) await call.HangUpAsync(CancellationToken.None).ConfigureAwait(false);
        return new OutgoingCallResult(final, seen, call);
    }

    private SipRequest CreateInvite(OutgoingCallRequest request, SipPeer flow, out Uris.SipUri contact)
    {
        var host = _core.Transport.GetAdvertisedHost(flow);
        var port = _core.Transport.Port;
        // Our own copies: the tag is ours to add, and the caller's objects stay untouched.
        var from = Copy(request.From) ?? new SipNameAddress(Uris.SipUri.Create(host, "anonymous"));
        from.Tag = SipResponseFactory.NewTag();
        var to = Copy(request.To) ?? new SipNameAddress(request.RequestUri);
        to.Tag = null;
        contact = _core.CreateContact(flow, from.Uri.User);

        var invite = new SipRequest(SipMethods.Invite, request.RequestUri);
        var headers = invite.Headers;
        headers.Add(SipHeaderNames.Via,
            $"SIP/2.0/{flow.ViaTransport} {host}:{port.ToString(CultureInfo.InvariantCulture)};branch={SipTransactionKey.NewBranch()};rport");
        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.From, from.ToString());
        headers.Add(SipHeaderNames.To, to.ToString());
        headers.Add(SipHeaderNames.CallId, SipResponseFactory.NewTag() + SipResponseFactory.NewTag() + "@" + host);
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(1, SipMethods.Invite).ToString());
        headers.Add(SipHeaderNames.Contact, "<" + contact + ">");
        headers.Add(SipHeaderNames.Allow, SipUserAgentCore.AllowedMethods);
        _core.AddUserAgentHeader(invite);
        if (!request.SdpOffer.IsEmpty)
        {
            headers.Add(SipHeaderNames.ContentType, "application/sdp");
            invite.Body = request.SdpOffer;
        }
        return invite;
    }

    private static SipNameAddress? Copy(SipNameAddress? address) =>
        address is not null && SipNameAddress.TryParse(address.ToString(), out var copy, out _) ? copy : null;

    /// <summary>9.1: CANCEL only after a provisional response, with the INVITE's Request-URI, Call-ID, From, To, CSeq number and top Via.</summary>
    private async Task CancelWhenProceedingAsync(SipRequest invite, SipPeer nextHop, SipClientTransaction transaction, Task provisionalSeen)
    {
        try
        {
            if (await Task.WhenAny(provisionalSeen, transaction.FinalResponse).ConfigureAwait(false) != provisionalSeen) return;
            if (transaction.FinalResponse.IsCompleted) return;
            var cancel = new SipRequest(SipMethods.Cancel, invite.RequestUri);
            cancel.Headers.Add(SipHeaderNames.Via, invite.Headers.GetFirst(SipHeaderNames.Via)!);
            cancel.Headers.Add(SipHeaderNames.MaxForwards, "70");
            cancel.Headers.Add(SipHeaderNames.From, invite.Headers.GetFirst(SipHeaderNames.From)!);
            cancel.Headers.Add(SipHeaderNames.To, invite.Headers.GetFirst(SipHeaderNames.To)!);
            cancel.Headers.Add(SipHeaderNames.CallId, invite.CallId!);
            cancel.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(invite.CSeq!.Value.Number, SipMethods.Cancel).ToString());
            invite.Headers.CopyTo(cancel.Headers, SipHeaderNames.Route);
            _core.AddUserAgentHeader(cancel);
            await _core.Transactions.SendRequest(cancel, nextHop).FinalResponse.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _core.Logger.LogWarning(e, "CANCEL of INVITE {CallId} failed", invite.CallId);
        }
    }
}
