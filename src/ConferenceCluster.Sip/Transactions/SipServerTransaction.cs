using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transport;

namespace ConferenceCluster.Sip.Transactions;

/// <summary>A server transaction (RFC 3261 17.2): the TU answers its request through it.</summary>
internal abstract class SipServerTransaction : SipTransaction
{
    protected SipServerTransaction(SipTransactionLayer layer, SipTransactionKey key, SipRequest request, SipPeer source)
        : base(layer, key, SipTransport.GetResponseDestination(request.TopVia, source))
    {
        Request = request;
        Source = source;
    }

    /// <summary>The request that created the transaction, with its top Via stamped (18.2.1).</summary>
    public SipRequest Request { get; }

    /// <summary>The flow the request arrived on.</summary>
    public SipPeer Source { get; }

    /// <summary>What the TU attached to the transaction (the call an INVITE created, found again by a CANCEL).</summary>
    public object? Owner { get; set; }

    /// <summary>True once a final (200-699) response has been sent.</summary>
    public abstract bool HasFinalResponse { get; }

    /// <summary>
    /// Sends a response from the TU. Returns false if the transaction is past the point where this
    /// response may be sent (a second final response, say): the TU then knows it lost a race (a CANCEL).
    /// </summary>
    public bool SendResponse(SipResponse response) => SendResponse(response, Serialize(response));

    /// <summary>As <see cref="SendResponse(SipResponse)"/>, with the bytes already serialized (the TU keeps them for 13.3.1.4).</summary>
    public abstract bool SendResponse(SipResponse response, ReadOnlyMemory<byte> bytes);

    /// <summary>The same request arrived again (17.2.1, 17.2.2): absorb it, resending the last response if the state asks for it.</summary>
    public abstract void OnRetransmission(SipRequest request);

    /// <summary>Builds and sends a response with <see cref="SipResponseFactory.CreateResponse(SipRequest, int, string?, string?, TimeSpan?)"/>.</summary>
    public bool Respond(int statusCode, string? reason = null, string? toTag = null, TimeSpan? retryAfter = null, Action<SipResponse>? decorate = null)
    {
        var response = SipResponseFactory.CreateResponse(Request, statusCode, reason, toTag, retryAfter);
        decorate?.Invoke(response);
        return SendResponse(response);
    }
}

/// <summary>
/// The INVITE server transaction (RFC 3261 17.2.1 with RFC 6026 7.1): Proceeding → Completed (non-2xx,
/// Timer G retransmits it over UDP, Timer H gives up waiting for the ACK) → Confirmed (ACK absorbed,
/// Timer I) → Terminated; or Proceeding → Accepted (2xx; the TU retransmits it, 13.3.1.4; Timer L) → Terminated.
/// </summary>
internal sealed class InviteServerTransaction : SipServerTransaction
{
    private enum State { Proceeding, Completed, Confirmed, Accepted, Terminated }

    private State _state = State.Proceeding;
    private ReadOnlyMemory<byte> _lastResponse;
    private TimeSpan _timerG;

    public InviteServerTransaction(SipTransactionLayer layer, SipTransactionKey key, SipRequest request, SipPeer source)
        : base(layer, key, request, source)
    {
    }

    /// <summary>
    /// 17.2.1: the server sends 100 Trying unless the TU answers within 200 ms. We send it at once: it
    /// costs one datagram and stops the client's Timer A retransmissions early.
    /// </summary>
    public void SendTrying()
    {
        lock (Sync)
        {
            if (_state != State.Proceeding || !_lastResponse.IsEmpty) return;
            _lastResponse = Serialize(SipResponseFactory.CreateResponse(Request, 100));
            Send(_lastResponse);
        }
    }

    public override bool HasFinalResponse
    {
        get
        {
            lock (Sync) return _state != State.Proceeding;
        }
    }

    public override bool SendResponse(SipResponse response, ReadOnlyMemory<byte> bytes)
    {
        lock (Sync)
        {
            switch (_state)
            {
                case State.Proceeding when response.IsProvisional:
                    _lastResponse = bytes;
                    Send(bytes);
                    return true;
                case State.Proceeding when response.IsSuccess:
                    // RFC 6026 7.1: Accepted, so retransmitted INVITEs stay absorbed while the TU retransmits the 2xx.
                    _state = State.Accepted;
                    _lastResponse = bytes;
                    Send(bytes);
                    StartStateTimer(Timers.TransactionTimeout, OnTimerL);
                    return true;
                case State.Proceeding:
                    _state = State.Completed;
                    _lastResponse = bytes;
                    if (!Peer.IsReliable)
                    {
                        _timerG = Timers.T1;
                        StartRetransmitTimer(_timerG, OnTimerG);
                    }
                    StartStateTimer(Timers.TransactionTimeout, OnTimerH);
                    Send(bytes);
                    return true;
                case State.Accepted when response.IsSuccess:
                    // The TU's 2xx retransmissions (13.3.1.4) pass straight through (RFC 6026 7.1).
                    Send(bytes);
                    return true;
                default:
                    return false;
            }
        }
    }

    public override void OnRetransmission(SipRequest request)
    {
        lock (Sync)
        {
            if (request.Method == SipMethods.Ack)
            {
                if (_state != State.Completed) return;
                // 17.2.1: the ACK for our non-2xx ends the retransmissions; Timer I absorbs further ACKs.
                _state = State.Confirmed;
                StopRetransmitTimer();
                StartStateTimer(Timers.TimerIK(Peer.IsReliable), OnTimerI);
                return;
            }
            if (_state is State.Proceeding or State.Completed && !_lastResponse.IsEmpty) Send(_lastResponse);
        }
    }

    private void OnTimerG()
    {
        lock (Sync)
        {
            if (_state != State.Completed) return;
            Send(_lastResponse);
            _timerG = Timers.NextInterval(_timerG);
            StartRetransmitTimer(_timerG, OnTimerG);
        }
    }

    private void OnTimerH()
    {
        lock (Sync)
        {
            if (_state != State.Completed) return;
            // 17.2.1: no ACK came; the transaction ends (RFC 3261 calls this a transaction failure).
            _state = State.Terminated;
            Terminate();
        }
        Layer.OnTimeout(this);
    }

    private void OnTimerI() => End(State.Confirmed);

    private void OnTimerL() => End(State.Accepted);

    private void End(State expected)
    {
        lock (Sync)
        {
            if (_state != expected) return;
            _state = State.Terminated;
            Terminate();
        }
    }
}

/// <summary>
/// The non-INVITE server transaction (RFC 3261 17.2.2): Trying → Proceeding → Completed (the final
/// response is resent for each retransmitted request; Timer J) → Terminated.
/// </summary>
internal sealed class NonInviteServerTransaction : SipServerTransaction
{
    private enum State { Trying, Proceeding, Completed, Terminated }

    private State _state = State.Trying;
    private ReadOnlyMemory<byte> _lastResponse;

    public NonInviteServerTransaction(SipTransactionLayer layer, SipTransactionKey key, SipRequest request, SipPeer source)
        : base(layer, key, request, source)
    {
    }

    public override bool HasFinalResponse
    {
        get
        {
            lock (Sync) return _state is State.Completed or State.Terminated;
        }
    }

    public override bool SendResponse(SipResponse response, ReadOnlyMemory<byte> bytes)
    {
        lock (Sync)
        {
            if (_state is State.Completed or State.Terminated) return false;
            _lastResponse = bytes;
            Send(_lastResponse);
            if (response.IsProvisional)
            {
                _state = State.Proceeding;
                return true;
            }
            _state = State.Completed;
            StartStateTimer(Timers.TimerJ(Peer.IsReliable), OnTimerJ);
            return true;
        }
    }

    public override void OnRetransmission(SipRequest request)
    {
        lock (Sync)
        {
            // Trying: absorbed, the TU has not answered yet. Proceeding and Completed: resend.
            if (_state is State.Proceeding or State.Completed) Send(_lastResponse);
        }
    }

    private void OnTimerJ()
    {
        lock (Sync)
        {
            if (_state != State.Completed) return;
            _state = State.Terminated;
            Terminate();
        }
    }
}
