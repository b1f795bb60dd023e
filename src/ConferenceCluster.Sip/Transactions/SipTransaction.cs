using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transport;

namespace ConferenceCluster.Sip.Transactions;

/// <summary>
/// What every transaction shares: its key, the flow it uses, a lock, and at most two running timers
/// (one that retransmits, one that ends a state). Timers come from the layer's <see cref="TimeProvider"/>.
/// </summary>
internal abstract class SipTransaction
{
    private ITimer? _retransmitTimer;
    private ITimer? _stateTimer;

    protected SipTransaction(SipTransactionLayer layer, SipTransactionKey key, SipPeer peer)
    {
        Layer = layer;
        Key = key;
        Peer = peer;
    }

    protected SipTransactionLayer Layer { get; }

    /// <summary>Serializes state changes; timers and received messages race otherwise.</summary>
    protected object Sync { get; } = new();

    public SipTransactionKey Key { get; }

    /// <summary>Where this transaction's messages go: the response destination or the request's next hop.</summary>
    public SipPeer Peer { get; }

    public bool IsTerminated { get; private set; }

    protected SipTimerOptions Timers => Layer.Timers;

    protected void Send(ReadOnlyMemory<byte> message) => Layer.Transport.Send(message, Peer);

    protected void StartRetransmitTimer(TimeSpan due, Action onFire)
    {
        _retransmitTimer?.Dispose();
        _retransmitTimer = Layer.Time.CreateTimer(static s => ((Action)s!)(), onFire, due, Timeout.InfiniteTimeSpan);
    }

    protected void StopRetransmitTimer()
    {
        _retransmitTimer?.Dispose();
        _retransmitTimer = null;
    }

    /// <summary>Starts the timer that ends the current state; a zero delay (reliable transports) fires now.</summary>
    protected void StartStateTimer(TimeSpan due, Action onFire)
    {
        _stateTimer?.Dispose();
        _stateTimer = null;
        if (due <= TimeSpan.Zero)
        {
            onFire();
            return;
        }
        _stateTimer = Layer.Time.CreateTimer(static s => ((Action)s!)(), onFire, due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Must be called with <see cref="Sync"/> held.</summary>
    protected void Terminate()
    {
        if (IsTerminated) return;
        IsTerminated = true;
        StopRetransmitTimer();
        _stateTimer?.Dispose();
        _stateTimer = null;
        Layer.Remove(this);
    }

    /// <summary>Ends the transaction at once (the stack is stopping).</summary>
    public void Abort()
    {
        lock (Sync) Terminate();
        OnAborted();
    }

    /// <summary>Lets a client transaction answer whoever awaits it.</summary>
    protected virtual void OnAborted()
    {
    }

    protected static ReadOnlyMemory<byte> Serialize(SipMessage message) => SipSerializer.Serialize(message);
}
