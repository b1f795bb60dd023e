using System.Collections.Concurrent;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Sip.Transactions;

/// <summary>What the transaction layer hands up to the transaction user (the UA core, RFC 3261 8, 12-15).</summary>
internal interface ISipTransactionUser
{
    /// <summary>A new request other than ACK and CANCEL; answer it through <paramref name="transaction"/>.</summary>
    void OnRequest(SipRequest request, SipServerTransaction transaction);

    /// <summary>
    /// A CANCEL (RFC 3261 9.2) with its own transaction, and the INVITE transaction it matches
    /// (same branch and sent-by, 17.2.3), or null when there is none (then 481).
    /// </summary>
    void OnCancel(SipRequest cancel, SipServerTransaction cancelTransaction, InviteServerTransaction? invite);

    /// <summary>An ACK no transaction matched: the ACK for a 2xx, which is the dialog's business (13.3.1.4, 17.2.3).</summary>
    void OnAck(SipRequest ack, SipPeer source);

    /// <summary>A response no client transaction matched: a retransmitted 2xx for an INVITE we sent (13.2.2.4).</summary>
    void OnStrayResponse(SipResponse response, SipPeer source);
}

/// <summary>
/// The transaction layer (RFC 3261 17): matches every message to its transaction, absorbs
/// retransmissions, and creates server transactions for new requests.
/// </summary>
internal sealed class SipTransactionLayer
{
    private readonly ConcurrentDictionary<SipTransactionKey, SipServerTransaction> _server = new();
    private readonly ConcurrentDictionary<SipTransactionKey, SipClientTransaction> _client = new();
    private readonly ILogger _logger;
    private ISipTransactionUser? _user;

    public SipTransactionLayer(SipTransport transport, SipTimerOptions timers, TimeProvider time, ILogger logger)
    {
        Transport = transport;
        Timers = timers;
        Time = time;
        _logger = logger;
    }

    public SipTransport Transport { get; }

    public SipTimerOptions Timers { get; }

    public TimeProvider Time { get; }

    public int ServerTransactionCount => _server.Count;

    public int ClientTransactionCount => _client.Count;

    public void SetUser(ISipTransactionUser user) => _user = user;

    /// <summary>Entry point for every message the transport delivers.</summary>
    public void OnMessage(SipMessage message, SipPeer source)
    {
        switch (message)
        {
            case SipRequest request:
                OnRequest(request, source);
                break;
            case SipResponse response:
                OnResponse(response, source);
                break;
        }
    }

    private void OnRequest(SipRequest request, SipPeer source)
    {
        var user = _user ?? throw new InvalidOperationException("No transaction user.");
        if (!SipTransactionKey.TryForServer(request, out var key)) return;

        if (_server.TryGetValue(key, out var existing))
        {
            existing.OnRetransmission(request); // 17.2.3: a retransmission, or the ACK for a non-2xx
            return;
        }
        if (request.Method == SipMethods.Ack)
        {
            user.OnAck(request, source);
            return;
        }

        SipServerTransaction transaction = request.Method == SipMethods.Invite
            ? new InviteServerTransaction(this, key, request, source)
            : new NonInviteServerTransaction(this, key, request, source);
        if (!_server.TryAdd(key, transaction))
        {
            // The same request raced in on another flow: the first copy won.
            if (_server.TryGetValue(key, out existing)) existing.OnRetransmission(request);
            return;
        }

        if (request.Method == SipMethods.Cancel)
        {
            // 9.2: the CANCEL matches the INVITE transaction with the same branch and sent-by.
            var invite = SipTransactionKey.TryForServer(request, SipMethods.Invite, out var inviteKey) &&
                         _server.TryGetValue(inviteKey, out var found)
                ? found as InviteServerTransaction
                : null;
            user.OnCancel(request, transaction, invite);
            return;
        }
        if (transaction is InviteServerTransaction inviteTransaction) inviteTransaction.SendTrying();
        user.OnRequest(request, transaction);
    }

    private void OnResponse(SipResponse response, SipPeer source)
    {
        if (SipTransactionKey.TryForClient(response, out var key) && _client.TryGetValue(key, out var transaction))
        {
            transaction.OnResponse(response);
            return;
        }
        _user?.OnStrayResponse(response, source);
    }

    /// <summary>Sends a request in a new client transaction; the caller awaits <see cref="SipClientTransaction.FinalResponse"/>.</summary>
    public SipClientTransaction SendRequest(SipRequest request, SipPeer nextHop, Action<SipResponse>? onProvisional = null)
    {
        if (request.TopVia?.Branch is null) throw new ArgumentException("The request needs a top Via with a branch.", nameof(request));
        SipClientTransaction transaction = request.Method == SipMethods.Invite
            ? new InviteClientTransaction(this, request, nextHop) { ProvisionalReceived = onProvisional }
            : new NonInviteClientTransaction(this, request, nextHop) { ProvisionalReceived = onProvisional };
        if (!_client.TryAdd(transaction.Key, transaction)) throw new InvalidOperationException("Branch already in use: " + transaction.Key.Branch);
        transaction.Start();
        return transaction;
    }

    internal void Remove(SipTransaction transaction)
    {
        switch (transaction)
        {
            case SipServerTransaction server:
                _server.TryRemove(new KeyValuePair<SipTransactionKey, SipServerTransaction>(server.Key, server));
                break;
            case SipClientTransaction client:
                _client.TryRemove(new KeyValuePair<SipTransactionKey, SipClientTransaction>(client.Key, client));
                break;
        }
    }

    internal void OnTimeout(SipServerTransaction transaction) =>
        _logger.LogDebug("No ACK for the final response to {Method} from {Peer} (Timer H)", transaction.Request.Method, transaction.Source);

    /// <summary>Stops every timer (the stack is stopping).</summary>
    public void AbortAll()
    {
        foreach (var t in _server.Values) t.Abort();
        foreach (var t in _client.Values) t.Abort();
    }
}
