using ConferenceCluster.Sip.Dialogs;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transactions;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Sip.UserAgent;

/// <summary>
/// One call: answered by us as UAS (its INVITE transaction, the 2xx retransmission of 13.3.1.4), or placed
/// by us as UAC (<see cref="SipEndpoint.InviteAsync"/>, which hands over the dialog once the 2xx is ACKed).
/// Either way its dialog (RFC 3261 12) and the requests inside it (BYE, re-INVITE, INFO, OPTIONS) in both
/// directions are handled here. State changes happen under one lock; the handler is called outside it.
/// </summary>
public sealed class SipCall
{
    private readonly SipUserAgentCore _core;
    private readonly object _sync = new();
    private readonly SipDialog _dialog;
    private readonly InviteServerTransaction? _invite; // null for a call we placed
    private readonly SipRequest _initialInvite;
    private readonly SipPeer _flow;
    private readonly CancellationTokenSource _handlerCancellation = new();
    private readonly TaskCompletionSource<SipCallEndReason> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SipCallState _state = SipCallState.Offered;
    private SipCallEndReason? _endReason;
    private ReadOnlyMemory<byte> _localSdp;
    private ReadOnlyMemory<byte> _remoteSdp;
    private ITimer? _decisionTimer;

    // 13.3.1.4: the 2xx we retransmit until its ACK, for the INVITE or a re-INVITE.
    private ReadOnlyMemory<byte> _unacknowledged2xx;
    private uint _unacknowledgedSequence;
    private bool _offerIn2xx;
    private SipPeer _2xxDestination;
    private TimeSpan _2xxInterval;
    private ITimer? _2xxRetransmitTimer;
    private ITimer? _2xxGiveUpTimer;
    private bool _hangUpWhenAcknowledged;

    // 14.1 / 14.2: at most one INVITE transaction in each direction, and glare gets 491.
    private InviteServerTransaction? _remoteReInvite;
    private bool _localReInvitePending;
    private uint _lastLocalInviteSequence;
    private ReadOnlyMemory<byte> _lastAck;
    private SipPeer _lastAckDestination;

    internal SipCall(SipUserAgentCore core, SipDialog dialog, InviteServerTransaction invite)
    {
        _core = core;
        _dialog = dialog;
        _invite = invite;
        _initialInvite = invite.Request;
        _flow = invite.Source;
        _remoteSdp = invite.Request.Body;
        Contact = core.CreateContact(invite.Source, invite.Request.RequestUri.User);
    }

    /// <summary>A call we placed (UAC): established as soon as the 2xx to <paramref name="invite"/> has its ACK (13.2.2.4).</summary>
    internal SipCall(SipUserAgentCore core, SipDialog dialog, SipRequest invite, SipResponse answer, SipPeer flow, SipUri contact)
    {
        _core = core;
        _dialog = dialog;
        _initialInvite = invite;
        _flow = flow;
        _state = SipCallState.Established;
        _localSdp = invite.Body;
        _remoteSdp = answer.Body;
        Contact = contact;
    }

    /// <summary>True for a call we placed with <see cref="SipEndpoint.InviteAsync"/>.</summary>
    public bool IsOutgoing => _invite is null;

    public string CallId => _dialog.Id.CallId;

    /// <summary>Our tag (the To tag of our responses).</summary>
    public string LocalTag => _dialog.Id.LocalTag;

    public string RemoteTag => _dialog.Id.RemoteTag;

    public SipDialogId DialogId => _dialog.Id;

    /// <summary>Us, with our tag: the INVITE's To when we answered, its From when we called.</summary>
    public SipNameAddress LocalParty => _dialog.LocalParty;

    /// <summary>The peer, with its tag: the INVITE's From when we answered, the 2xx's To when we called.</summary>
    public SipNameAddress RemoteParty => _dialog.RemoteParty;

    public SipUri RequestUri => _initialInvite.RequestUri;

    /// <summary>Where requests inside the dialog go (the peer's Contact, refreshed by re-INVITEs).</summary>
    public SipUri RemoteTarget
    {
        get
        {
            lock (_sync) return _dialog.RemoteTarget;
        }
    }

    /// <summary>The flow the INVITE arrived on.</summary>
    public SipPeer Flow => _flow;

    /// <summary>Our Contact in this dialog.</summary>
    public SipUri Contact { get; }

    public SipCallState State
    {
        get
        {
            lock (_sync) return _state;
        }
    }

    /// <summary>The session description we last sent (answer or offer).</summary>
    public ReadOnlyMemory<byte> LocalSdp
    {
        get
        {
            lock (_sync) return _localSdp;
        }
    }

    /// <summary>The session description the peer last sent (offer or answer).</summary>
    public ReadOnlyMemory<byte> RemoteSdp
    {
        get
        {
            lock (_sync) return _remoteSdp;
        }
    }

    public SipCallEndReason? EndReason
    {
        get
        {
            lock (_sync) return _endReason;
        }
    }

    /// <summary>Completes when the call ends, with the reason.</summary>
    public Task<SipCallEndReason> Ended => _ended.Task;

    public override string ToString() => $"call {CallId} from {RemoteParty.Uri} ({State})";

    // ---- the initial INVITE (13.3) ----

    /// <summary>8.2.2.2: what identifies the INVITE for merged-request detection (Call-ID, From tag, CSeq).</summary>
    internal (string CallId, string RemoteTag, uint Sequence) InviteKey => (CallId, RemoteTag, _initialInvite.CSeq!.Value.Number);

    internal string InviteBranch => _invite?.Key.Branch ?? string.Empty;

    internal void StartOffer(IncomingCall incoming)
    {
        lock (_sync)
        {
            _decisionTimer = _core.Time.CreateTimer(static s => ((SipCall)s!).OnDecisionTimeout(), this,
                _core.Options.InviteDecisionTimeout, Timeout.InfiniteTimeSpan);
        }
        _ = Task.Run(async () =>
        {
            IncomingCallDecision decision;
            try
            {
                decision = await _core.Handler.OnInviteAsync(incoming, _handlerCancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_handlerCancellation.IsCancellationRequested)
            {
                return; // cancelled by CANCEL or Stop, which have answered already
            }
            catch (Exception e)
            {
                _core.Logger.LogError(e, "The call handler failed on INVITE {CallId}", CallId);
                Reject(500, null, null, SipCallEndReason.HandlerFailed);
                return;
            }
            if (decision.IsAccepted) Accept(decision.Sdp);
            else Reject(decision.StatusCode, decision.ReasonPhrase, decision.RetryAfter, SipCallEndReason.Rejected);
        });
    }

    private void OnDecisionTimeout()
    {
        _core.Logger.LogWarning("The call handler did not decide about INVITE {CallId} in time", CallId);
        Reject(480, "Temporarily Unavailable (no decision in time)", null, SipCallEndReason.HandlerTimeout);
    }

    internal bool SendProvisional(int statusCode, ReadOnlyMemory<byte> earlySdp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 101);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 199);
        lock (_sync)
        {
            if (_state != SipCallState.Offered) return false;
            // 12.1.1: with our tag, a provisional response creates an early dialog.
            var response = _core.CreateResponse(_invite!.Request, statusCode, LocalTag, Contact, earlySdp);
            return _invite!.SendResponse(response);
        }
    }

    private void Accept(ReadOnlyMemory<byte> sdp)
    {
        lock (_sync)
        {
            if (_state != SipCallState.Offered) return; // CANCEL or Stop won the race
            var response = _core.CreateResponse(_invite!.Request, 200, LocalTag, Contact, sdp);
            _state = SipCallState.Answered;
            _decisionTimer?.Dispose();
            _localSdp = sdp;
            _offerIn2xx = _invite!.Request.Body.IsEmpty;
            // The timers exist before the 2xx leaves, so whoever sees the 2xx may count on them.
            var bytes = Start2xxRetransmission(response, _invite!.Request.CSeq!.Value.Number, _invite!.Peer);
            _invite!.SendResponse(response, bytes);
        }
    }

    private void Reject(int statusCode, string? reason, TimeSpan? retryAfter, SipCallEndReason endReason)
    {
        lock (_sync)
        {
            if (_state != SipCallState.Offered) return;
            _invite!.Respond(statusCode, reason, LocalTag, retryAfter, _core.AddServerHeader);
            EndLocked(endReason);
        }
        NotifyEnded(endReason);
    }

    /// <summary>9.2: a CANCEL for the INVITE before our final response: 487 to the INVITE (the core already sent 200 to the CANCEL).</summary>
    internal void OnCancel()
    {
        lock (_sync)
        {
            if (_state != SipCallState.Offered) return;
            _invite!.Respond(487, toTag: LocalTag, decorate: _core.AddServerHeader);
            EndLocked(SipCallEndReason.Cancelled);
        }
        NotifyEnded(SipCallEndReason.Cancelled);
    }

    // ---- 13.3.1.4: 2xx retransmission until the ACK ----

    /// <summary>Starts 13.3.1.4's schedule for <paramref name="response"/>; returns its bytes for the first send.</summary>
    private ReadOnlyMemory<byte> Start2xxRetransmission(SipResponse response, uint sequence, SipPeer destination)
    {
        Stop2xxRetransmission();
        _unacknowledged2xx = SipSerializer.Serialize(response);
        _unacknowledgedSequence = sequence;
        _2xxDestination = destination;
        _2xxInterval = _core.Timers.T1;
        _2xxRetransmitTimer = _core.Time.CreateTimer(static s => ((SipCall)s!).On2xxRetransmitTimer(), this, _2xxInterval, Timeout.InfiniteTimeSpan);
        _2xxGiveUpTimer = _core.Time.CreateTimer(static s => ((SipCall)s!).On2xxGiveUpTimer(), this, _core.Timers.TransactionTimeout, Timeout.InfiniteTimeSpan);
        return _unacknowledged2xx;
    }

    private void Stop2xxRetransmission()
    {
        _unacknowledged2xx = default;
        _2xxRetransmitTimer?.Dispose();
        _2xxRetransmitTimer = null;
        _2xxGiveUpTimer?.Dispose();
        _2xxGiveUpTimer = null;
    }

    private void On2xxRetransmitTimer()
    {
        lock (_sync)
        {
            if (_unacknowledged2xx.IsEmpty) return;
            _core.Transport.Send(_unacknowledged2xx, _2xxDestination);
            _2xxInterval = _core.Timers.NextInterval(_2xxInterval);
            _2xxRetransmitTimer?.Dispose();
            _2xxRetransmitTimer = _core.Time.CreateTimer(static s => ((SipCall)s!).On2xxRetransmitTimer(), this, _2xxInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>13.3.1.4: 64*T1 without an ACK: the dialog is confirmed but the session is ended with a BYE.</summary>
    private void On2xxGiveUpTimer()
    {
        SipRequest? bye;
        lock (_sync)
        {
            if (_unacknowledged2xx.IsEmpty || _state == SipCallState.Ended) return;
            Stop2xxRetransmission();
            _core.Logger.LogInformation("No ACK for the 2xx of call {CallId} within 64*T1; sending BYE", CallId);
            bye = CreateByeLocked();
            EndLocked(SipCallEndReason.AckTimeout);
        }
        _ = SendAndForgetAsync(bye);
        NotifyEnded(SipCallEndReason.AckTimeout);
    }

    internal void OnAck(SipRequest ack)
    {
        var established = false;
        SipRequest? bye = null;
        lock (_sync)
        {
            // Only the ACK for the 2xx we retransmit counts; a retransmitted ACK finds nothing to stop.
            if (_unacknowledged2xx.IsEmpty || ack.CSeq?.Number != _unacknowledgedSequence) return;
            Stop2xxRetransmission();
            if (_offerIn2xx && !ack.Body.IsEmpty) _remoteSdp = ack.Body; // 13.2.1: the answer to an offer in a 2xx is in the ACK
            _offerIn2xx = false;
            if (_state == SipCallState.Answered)
            {
                _state = SipCallState.Established;
                established = true;
            }
            if (_hangUpWhenAcknowledged && _state == SipCallState.Established)
            {
                bye = CreateByeLocked();
                EndLocked(SipCallEndReason.LocalHangUp);
            }
        }
        if (established && bye is null) _core.Invoke(h => h.OnCallEstablished(this));
        if (bye is not null)
        {
            _ = SendAndForgetAsync(bye);
            NotifyEnded(SipCallEndReason.LocalHangUp);
        }
    }

    // ---- requests inside the dialog (12.2.2) ----

    internal void OnInDialogRequest(SipRequest request, SipServerTransaction transaction)
    {
        bool inOrder;
        lock (_sync) inOrder = _dialog.AcceptRemoteSequence(request);
        if (!inOrder)
        {
            // 12.2.2: a CSeq lower than the last one is out of order.
            transaction.Respond(500, "Server Internal Error (CSeq out of order)", decorate: _core.AddServerHeader);
            return;
        }
        switch (request.Method)
        {
            case SipMethods.Bye:
                OnBye(transaction);
                break;
            case SipMethods.Invite:
                OnReInvite(request, (InviteServerTransaction)transaction);
                break;
            case SipMethods.Info:
                OnInfo(request, transaction);
                break;
            case SipMethods.Options:
                transaction.SendResponse(_core.CreateOptionsResponse(request, Contact));
                break;
            default:
                transaction.Respond(405, decorate: _core.AddCapabilities);
                break;
        }
    }

    /// <summary>15.1.2: 200 to the BYE, 487 to anything still pending, and the call is over.</summary>
    private void OnBye(SipServerTransaction transaction)
    {
        transaction.Respond(200, decorate: _core.AddServerHeader);
        lock (_sync)
        {
            if (_state == SipCallState.Ended) return;
            if (_state == SipCallState.Offered) _invite!.Respond(487, toTag: LocalTag, decorate: _core.AddServerHeader);
            _remoteReInvite?.Respond(487, decorate: _core.AddServerHeader);
            _remoteReInvite = null;
            EndLocked(SipCallEndReason.RemoteHangUp);
        }
        NotifyEnded(SipCallEndReason.RemoteHangUp);
    }

    private void OnInfo(SipRequest request, SipServerTransaction transaction)
    {
        if (request.Body.IsEmpty)
        {
            transaction.Respond(200, decorate: _core.AddServerHeader); // an empty INFO is a keep-alive
            return;
        }
        if (!DtmfInfoBody.IsDtmfContentType(request.ContentType))
        {
            transaction.Respond(415, decorate: _core.AddCapabilities);
            return;
        }
        if (!DtmfInfoBody.TryParse(request.ContentType, request.Body.Span, out var digit, out var duration))
        {
            transaction.Respond(400, "Bad Request (no DTMF signal in the body)", decorate: _core.AddServerHeader);
            return;
        }
        transaction.Respond(200, decorate: _core.AddServerHeader);
        _core.Invoke(h => h.OnDtmf(this, new DtmfDigit(digit, duration)));
    }

    /// <summary>14.2: a re-INVITE: 491 if ours is in progress, 500 with Retry-After if theirs is, else ask the handler.</summary>
    private void OnReInvite(SipRequest request, InviteServerTransaction transaction)
    {
        lock (_sync)
        {
            if (_state == SipCallState.Ended)
            {
                transaction.Respond(481, decorate: _core.AddServerHeader);
                return;
            }
            if (_localReInvitePending)
            {
                transaction.Respond(491, decorate: _core.AddServerHeader);
                return;
            }
            if (_remoteReInvite is not null || !_unacknowledged2xx.IsEmpty || _state != SipCallState.Established)
            {
                transaction.Respond(500, "Server Internal Error (an earlier INVITE is still in progress)",
                    retryAfter: TimeSpan.FromSeconds(Random.Shared.Next(0, 11)), decorate: _core.AddServerHeader);
                return;
            }
            _dialog.RefreshTarget(request);
            _remoteReInvite = transaction;
        }

        var offer = request.Body;
        _ = Task.Run(async () =>
        {
            ReInviteDecision decision;
            try
            {
                decision = await _core.Handler.OnReInviteAsync(this, offer, _handlerCancellation.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_handlerCancellation.IsCancellationRequested)
            {
                _core.Logger.LogError(e, "The call handler failed on a re-INVITE in call {CallId}", CallId);
                decision = ReInviteDecision.Reject(500);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_sync)
            {
                if (!ReferenceEquals(_remoteReInvite, transaction)) return; // answered 487 by a BYE meanwhile
                _remoteReInvite = null;
                if (!decision.IsAccepted)
                {
                    transaction.Respond(decision.StatusCode, toTag: LocalTag, decorate: _core.AddServerHeader);
                    return;
                }
                var response = _core.CreateResponse(request, 200, LocalTag, Contact, decision.Sdp);
                _localSdp = decision.Sdp;
                if (!offer.IsEmpty) _remoteSdp = offer;
                _offerIn2xx = offer.IsEmpty;
                var bytes = Start2xxRetransmission(response, request.CSeq!.Value.Number, transaction.Peer);
                transaction.SendResponse(response, bytes);
            }
        });
    }

    // ---- requests we send (12.2.1) ----

    /// <summary>
    /// Hangs up (RFC 3261 15): BYE on an established call; on a call still being offered a 480
    /// Temporarily Unavailable; on an answered call waiting for its ACK, the BYE follows the ACK
    /// (15: no BYE before the ACK or the timeout). Completes when the call has ended.
    /// </summary>
    public async Task HangUpAsync(CancellationToken cancellationToken = default)
    {
        SipRequest? bye = null;
        var endedNow = false;
        lock (_sync)
        {
            switch (_state)
            {
                case SipCallState.Offered:
                    _invite!.Respond(480, toTag: LocalTag, decorate: _core.AddServerHeader);
                    EndLocked(SipCallEndReason.LocalHangUp);
                    endedNow = true;
                    break;
                case SipCallState.Answered:
                    _hangUpWhenAcknowledged = true;
                    break;
                case SipCallState.Established:
                    bye = CreateByeLocked();
                    _remoteReInvite?.Respond(487, decorate: _core.AddServerHeader);
                    _remoteReInvite = null;
                    EndLocked(SipCallEndReason.LocalHangUp);
                    endedNow = true;
                    break;
            }
        }
        if (endedNow) NotifyEnded(SipCallEndReason.LocalHangUp);
        if (bye is not null) await SendAsync(bye).WaitAsync(cancellationToken).ConfigureAwait(false);
        else await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a re-INVITE with a new offer (RFC 3261 14.1), e.g. to move the media to another node.
    /// On 2xx the answer is returned and becomes <see cref="RemoteSdp"/>. A 491 (glare) is returned
    /// for the caller to retry later; 408 and 481 end the call (12.2.1.2). Returns 491 at once if an
    /// INVITE is already in progress in either direction (14.1). <paramref name="cancellationToken"/>
    /// only stops the waiting: the re-INVITE itself is not CANCELled.
    /// </summary>
    public async Task<ReInviteResult> ReInviteAsync(ReadOnlyMemory<byte> sdpOffer, CancellationToken cancellationToken = default)
    {
        SipRequest invite;
        uint sequence;
        lock (_sync)
        {
            if (_state != SipCallState.Established) throw new InvalidOperationException($"Cannot re-INVITE a call in state {_state}.");
            if (_localReInvitePending || _remoteReInvite is not null || !_unacknowledged2xx.IsEmpty) return new ReInviteResult(491, default);
            _localReInvitePending = true;
            sequence = _dialog.NextLocalSequence();
            invite = CreateRequestLocked(SipMethods.Invite, sequence);
            invite.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            invite.Body = sdpOffer;
        }

        SipResponse response;
        SipPeer? nextHop = null;
        try
        {
            nextHop = await _core.ResolveNextHopAsync(_dialog.GetNextHopUri(), Flow).ConfigureAwait(false);
            response = nextHop is null
                ? SipResponseFactory.CreateResponse(invite, 503, "Service Unavailable (next hop not resolvable)")
                : await _core.Transactions.SendRequest(invite, nextHop.Value).FinalResponse.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync) _localReInvitePending = false;
        }

        if (response.IsSuccess)
        {
            lock (_sync)
            {
                // 13.2.2.4: the ACK for a 2xx is a new transaction of its own; keep it for retransmitted 2xx.
                var ack = CreateRequestLocked(SipMethods.Ack, sequence);
                _lastAck = SipSerializer.Serialize(ack);
                _lastAckDestination = nextHop!.Value;
                _lastLocalInviteSequence = sequence;
                _core.Transport.Send(_lastAck, _lastAckDestination);
                _dialog.RefreshTarget(response);
                _localSdp = sdpOffer;
                _remoteSdp = response.Body;
            }
            return new ReInviteResult(response.StatusCode, response.Body);
        }
        if (response.StatusCode is 408 or 481)
        {
            SipRequest? bye = null;
            lock (_sync)
            {
                if (_state == SipCallState.Ended) return new ReInviteResult(response.StatusCode, default);
                if (response.StatusCode == 408) bye = CreateByeLocked(); // 481: the peer has no dialog left to end
                EndLocked(SipCallEndReason.ReInviteFailed);
            }
            if (bye is not null) _ = SendAndForgetAsync(bye);
            NotifyEnded(SipCallEndReason.ReInviteFailed);
        }
        return new ReInviteResult(response.StatusCode, default);
    }

    /// <summary>
    /// 13.2.2.4: the ACK for the 2xx to the INVITE that created this outgoing call, a transaction of its own
    /// along the route set; kept so a retransmitted 2xx gets it again.
    /// </summary>
    internal async Task AcknowledgeAnswerAsync()
    {
        var nextHop = await _core.ResolveNextHopAsync(_dialog.GetNextHopUri(), Flow).ConfigureAwait(false) ?? Flow;
        lock (_sync)
        {
            var sequence = _initialInvite.CSeq!.Value.Number;
            _lastAck = SipSerializer.Serialize(CreateRequestLocked(SipMethods.Ack, sequence));
            _lastAckDestination = nextHop;
            _lastLocalInviteSequence = sequence;
            _core.Transport.Send(_lastAck, _lastAckDestination);
        }
    }

    /// <summary>A 2xx no transaction matched: a retransmission of the 2xx to our re-INVITE, which gets our ACK again (13.2.2.4).</summary>
    internal void OnStrayResponse(SipResponse response)
    {
        lock (_sync)
        {
            if (!response.IsSuccess || _lastAck.IsEmpty || response.CSeq is not { Method: SipMethods.Invite } cseq || cseq.Number != _lastLocalInviteSequence) return;
            _core.Transport.Send(_lastAck, _lastAckDestination);
        }
    }

    /// <summary>The endpoint stops: refuse a call being offered (503), hang up one that is up.</summary>
    internal void Stop()
    {
        SipRequest? bye = null;
        lock (_sync)
        {
            if (_state == SipCallState.Ended) return;
            if (_state == SipCallState.Offered) _invite!.Respond(503, toTag: LocalTag, decorate: _core.AddServerHeader);
            else bye = CreateByeLocked();
            EndLocked(SipCallEndReason.EndpointStopped);
        }
        if (bye is not null) _ = SendAndForgetAsync(bye);
        NotifyEnded(SipCallEndReason.EndpointStopped);
    }

    private SipRequest CreateByeLocked() => CreateRequestLocked(SipMethods.Bye, _dialog.NextLocalSequence());

    private SipRequest CreateRequestLocked(string method, uint sequence)
    {
        var flow = Flow;
        var request = _dialog.CreateRequest(method, sequence, flow.ViaTransport, _core.Transport.GetAdvertisedHost(flow),
            _core.Transport.Port, Contact, SipTransactionKey.NewBranch());
        _core.AddUserAgentHeader(request);
        return request;
    }

    private async Task<SipResponse?> SendAsync(SipRequest request)
    {
        var nextHop = await _core.ResolveNextHopAsync(_dialog.GetNextHopUri(), Flow).ConfigureAwait(false);
        if (nextHop is null) return null;
        return await _core.Transactions.SendRequest(request, nextHop.Value).FinalResponse.ConfigureAwait(false);
    }

    private async Task SendAndForgetAsync(SipRequest request)
    {
        try
        {
            var response = await SendAsync(request).ConfigureAwait(false);
            if (response is null || response.StatusCode >= 300)
                _core.Logger.LogInformation("{Method} in call {CallId} got {Status}", request.Method, CallId, response?.StatusCode.ToString() ?? "no route");
        }
        catch (Exception e)
        {
            _core.Logger.LogWarning(e, "{Method} in call {CallId} failed", request.Method, CallId);
        }
    }

    // ---- the end ----

    private void EndLocked(SipCallEndReason reason)
    {
        _state = SipCallState.Ended;
        _endReason = reason;
        _decisionTimer?.Dispose();
        Stop2xxRetransmission();
        _handlerCancellation.Cancel();
        _core.Unregister(this);
    }

    private void NotifyEnded(SipCallEndReason reason)
    {
        _core.Invoke(h => h.OnCallEnded(this, reason));
        _ended.TrySetResult(reason);
    }
}

/// <summary>An INVITE being offered to the handler (RFC 3261 13.3.1).</summary>
public sealed class IncomingCall
{
    internal IncomingCall(SipCall call, SipRequest invite)
    {
        Call = call;
        Invite = invite;
    }

    /// <summary>The call this INVITE creates; it lives on if the handler accepts.</summary>
    public SipCall Call { get; }

    public SipRequest Invite { get; }

    public SipUri RequestUri => Invite.RequestUri;

    public SipNameAddress From => Invite.From!;

    public SipNameAddress To => Invite.To!;

    public string CallId => Invite.CallId!;

    /// <summary>The SDP offer; empty when the INVITE carries none (then the 200 must carry an offer).</summary>
    public ReadOnlyMemory<byte> Offer => Invite.Body;

    /// <summary>The flow the INVITE arrived on.</summary>
    public SipPeer Source => Call.Flow;

    /// <summary>
    /// Sends a provisional response now: 180 Ringing, or 183 Session Progress with an early SDP answer.
    /// Returns false once the call has been answered, refused or cancelled.
    /// </summary>
    public bool SendProvisional(int statusCode = 180, ReadOnlyMemory<byte> earlySdp = default) => Call.SendProvisional(statusCode, earlySdp);
}
