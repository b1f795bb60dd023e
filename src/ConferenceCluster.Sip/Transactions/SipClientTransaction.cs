using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transport;

namespace ConferenceCluster.Sip.Transactions;

/// <summary>
/// A client transaction (RFC 3261 17.1): sends a request, retransmits it over UDP, and completes
/// <see cref="FinalResponse"/> with the final response, or with a 408 it makes itself when Timer B
/// or F fires (8.1.3.1 treats a timeout as a 408).
/// </summary>
internal abstract class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipResponse> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _retransmitInterval;

    protected SipClientTransaction(SipTransactionLayer layer, SipRequest request, SipPeer nextHop)
        : base(layer, SipTransactionKey.ForClient(request.TopVia!.Branch!, request.Method), nextHop)
    {
        Request = request;
        RequestBytes = Serialize(request);
    }

    public SipRequest Request { get; }

    protected ReadOnlyMemory<byte> RequestBytes { get; }

    /// <summary>Called for each provisional response, outside the transaction's lock.</summary>
    public Action<SipResponse>? ProvisionalReceived { get; init; }

    public Task<SipResponse> FinalResponse => _final.Task;

    /// <summary>
    /// Sends the request and starts its two timers; the layer calls this once it has registered the transaction. Both
    /// kinds have the same shape (17.1.1.2 Timers A/B, 17.1.2.2 Timers E/F): over UDP a retransmit timer from T1, and
    /// the transaction timeout (64·T1) that ends in a 408.
    /// </summary>
    public void Start()
    {
        lock (Sync)
        {
            if (!Peer.IsReliable)
            {
                _retransmitInterval = Timers.T1;
                StartRetransmitTimer(_retransmitInterval, OnRetransmitTimer);
            }
            StartStateTimer(Timers.TransactionTimeout, OnTransactionTimeout);
            Send(RequestBytes);
        }
    }

    /// <summary>
    /// True while the request is retransmitted and may time out (INVITE: Calling; non-INVITE: Trying or Proceeding).
    /// Read under the transaction's lock.
    /// </summary>
    protected abstract bool RequestTimersApply { get; }

    /// <summary>The retransmit interval after one of <paramref name="current"/> (Timer A doubles; Timer E doubles up to T2).</summary>
    protected abstract TimeSpan NextRetransmitInterval(TimeSpan current);

    /// <summary>Moves the state machine to Terminated (under the lock) when the transaction times out.</summary>
    protected abstract void EnterTerminated();

    private void OnRetransmitTimer()
    {
        lock (Sync)
        {
            if (!RequestTimersApply) return;
            Send(RequestBytes);
            _retransmitInterval = NextRetransmitInterval(_retransmitInterval);
            StartRetransmitTimer(_retransmitInterval, OnRetransmitTimer);
        }
    }

    private void OnTransactionTimeout()
    {
        lock (Sync)
        {
            if (!RequestTimersApply) return;
            EnterTerminated();
            Terminate();
        }
        CompleteWithTimeout();
    }

    public abstract void OnResponse(SipResponse response);

    protected void Complete(SipResponse response) => _final.TrySetResult(response);

    protected void CompleteWithTimeout() =>
        _final.TrySetResult(SipResponseFactory.CreateResponse(Request, 408, "Request Timeout (no response to the request)"));

    /// <summary>8.1.3.1 treats a transport failure as 503; stopping the stack is the same to the TU.</summary>
    protected override void OnAborted() =>
        _final.TrySetResult(SipResponseFactory.CreateResponse(Request, 503, "Service Unavailable (the SIP stack is stopping)"));

    protected void NotifyProvisional(SipResponse response)
    {
        try
        {
            ProvisionalReceived?.Invoke(response);
        }
        catch
        {
            // A TU callback has no business failing the transaction.
        }
    }
}

/// <summary>
/// The INVITE client transaction (RFC 3261 17.1.1): Calling (Timer A retransmits over UDP, Timer B
/// times out) → Proceeding → Completed (non-2xx: we ACK it, 17.1.1.3, and Timer D absorbs
/// retransmissions) or Terminated (2xx: the TU ACKs it, 13.2.2.4).
/// </summary>
internal sealed class InviteClientTransaction : SipClientTransaction
{
    private enum State { Calling, Proceeding, Completed, Terminated }

    private State _state = State.Calling;
    private ReadOnlyMemory<byte> _ack;

    public InviteClientTransaction(SipTransactionLayer layer, SipRequest request, SipPeer nextHop)
        : base(layer, request, nextHop)
    {
    }

    /// <summary>Timers A and B run in Calling only: a provisional response stops both (17.1.1.2).</summary>
    protected override bool RequestTimersApply => _state == State.Calling;

    protected override TimeSpan NextRetransmitInterval(TimeSpan current) => current * 2; // 17.1.1.2: Timer A doubles without the T2 cap

    protected override void EnterTerminated() => _state = State.Terminated;

    public override void OnResponse(SipResponse response)
    {
        SipResponse? provisional = null, final = null;
        lock (Sync)
        {
            switch (_state)
            {
                case State.Calling or State.Proceeding when response.IsProvisional:
                    _state = State.Proceeding;
                    StopRetransmitTimer();
                    provisional = response;
                    break;
                case State.Calling or State.Proceeding when response.IsSuccess:
                    _state = State.Terminated;
                    Terminate();
                    final = response;
                    break;
                case State.Calling or State.Proceeding:
                    _state = State.Completed;
                    StopRetransmitTimer();
                    _ack = Serialize(CreateAckForNon2xx(response));
                    Send(_ack);
                    StartStateTimer(Timers.TimerD(Peer.IsReliable), OnTimerD);
                    final = response;
                    break;
                case State.Completed when !response.IsProvisional:
                    Send(_ack); // 17.1.1.2: a retransmitted final gets the ACK again
                    break;
            }
        }
        if (provisional is not null) NotifyProvisional(provisional);
        if (final is not null) Complete(final);
    }

    private void OnTimerD()
    {
        lock (Sync)
        {
            if (_state != State.Completed) return;
            _state = State.Terminated;
            Terminate();
        }
    }

    /// <summary>
    /// 17.1.1.3: same Request-URI, Call-ID, From, CSeq number and top Via as the INVITE, To from the
    /// response (it has the tag), the INVITE's Route headers, method ACK.
    /// </summary>
    private SipRequest CreateAckForNon2xx(SipResponse response)
    {
        var invite = Request;
        var ack = new SipRequest(SipMethods.Ack, invite.RequestUri);
        ack.Headers.Add(SipHeaderNames.Via, invite.Headers.GetFirst(SipHeaderNames.Via)!);
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        ack.Headers.Add(SipHeaderNames.From, invite.Headers.GetFirst(SipHeaderNames.From)!);
        ack.Headers.Add(SipHeaderNames.To, response.Headers.GetFirst(SipHeaderNames.To)!);
        ack.Headers.Add(SipHeaderNames.CallId, invite.CallId!);
        ack.Headers.Add(SipHeaderNames.CSeq, new SipCSeq(invite.CSeq!.Value.Number, SipMethods.Ack).ToString());
        invite.Headers.CopyTo(ack.Headers, SipHeaderNames.Route);
        return ack;
    }
}

/// <summary>
/// The non-INVITE client transaction (RFC 3261 17.1.2): Trying (Timer E retransmits over UDP,
/// doubling up to T2; Timer F times out) → Proceeding (Timer E at T2) → Completed (Timer K absorbs
/// retransmitted responses) → Terminated.
/// </summary>
internal sealed class NonInviteClientTransaction : SipClientTransaction
{
    private enum State { Trying, Proceeding, Completed, Terminated }

    private State _state = State.Trying;

    public NonInviteClientTransaction(SipTransactionLayer layer, SipRequest request, SipPeer nextHop)
        : base(layer, request, nextHop)
    {
    }

    protected override bool RequestTimersApply => _state is State.Trying or State.Proceeding;

    /// <summary>17.1.2.2: Timer E doubles up to T2 in Trying, and stays at T2 once Proceeding.</summary>
    protected override TimeSpan NextRetransmitInterval(TimeSpan current) => _state == State.Trying ? Timers.NextInterval(current) : Timers.T2;

    protected override void EnterTerminated() => _state = State.Terminated;

    public override void OnResponse(SipResponse response)
    {
        SipResponse? provisional = null, final = null;
        lock (Sync)
        {
            if (_state is not (State.Trying or State.Proceeding)) return; // Completed: absorbed until Timer K
            if (response.IsProvisional)
            {
                _state = State.Proceeding;
                provisional = response;
            }
            else
            {
                _state = State.Completed;
                StopRetransmitTimer();
                StartStateTimer(Timers.TimerIK(Peer.IsReliable), OnTimerK);
                final = response;
            }
        }
        if (provisional is not null) NotifyProvisional(provisional);
        if (final is not null) Complete(final);
    }

    private void OnTimerK()
    {
        lock (Sync)
        {
            if (_state != State.Completed) return;
            _state = State.Terminated;
            Terminate();
        }
    }
}
