using System.Net;
using ConferenceCluster.Sip.Transactions;
using ConferenceCluster.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Sip.UserAgent;

/// <summary>
/// A SIP user agent on one port: transport, transaction layer and UA core wired to the application's
/// <see cref="ISipCallHandler"/>. It answers calls (UAS) and places them (<see cref="InviteAsync"/>, UAC);
/// requests inside either kind of call reach the same handler. Knows nothing of conferences.
/// </summary>
public sealed class SipEndpoint : IAsyncDisposable
{
    private readonly SipTransport _transport;
    private readonly SipTransactionLayer _transactions;
    private readonly SipUserAgentCore _core;
    private readonly SipCallOriginator _originator;
    private int _state; // 0 new, 1 started, 2 stopped

    public SipEndpoint(ISipCallHandler handler, SipEndpointOptions? options = null, TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Options = options ?? new SipEndpointOptions();
        var time = timeProvider ?? TimeProvider.System;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _transport = new SipTransport(Options.Transport, time, loggers.CreateLogger<SipTransport>());
        _transactions = new SipTransactionLayer(_transport, Options.Timers, time, loggers.CreateLogger<SipTransactionLayer>());
        _core = new SipUserAgentCore(Options, handler, _transport, _transactions, time, loggers.CreateLogger<SipEndpoint>());
        _transactions.SetUser(_core);
        _originator = new SipCallOriginator(_core);
    }

    public SipEndpointOptions Options { get; }

    /// <summary>The port UDP and TCP listen on.</summary>
    public int Port => _transport.Port;

    public IPEndPoint? UdpEndPoint => _transport.UdpEndPoint;

    public IPEndPoint? TcpEndPoint => _transport.TcpEndPoint;

    /// <summary>Calls being offered, answered or up.</summary>
    public IReadOnlyCollection<SipCall> Calls => _core.Calls.ToArray();

    internal SipTransactionLayer Transactions => _transactions;

    /// <summary>Binds the listeners and starts serving.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("The endpoint was already started.");
        _transport.Start(_transactions.OnMessage);
    }

    /// <summary>
    /// Places a call (RFC 3261 13.2): sends the INVITE, waits for its final response and, on a 2xx, ACKs it
    /// and returns the established call; re-INVITEs, INFO and BYE from the peer then reach the handler as
    /// for any call. A non-2xx comes back as the result (its status, reason and Retry-After), not as an exception.
    /// Cancelling sends CANCEL (9.1) and still returns the final response, normally 487.
    /// </summary>
    public Task<OutgoingCallResult> InviteAsync(OutgoingCallRequest request, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) != 1) throw new InvalidOperationException("The endpoint is not running.");
        return _originator.InviteAsync(request, cancellationToken);
    }

    /// <summary>Ends every call (503 to those being offered, BYE to those up), then closes the listeners.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        _core.StopAllCalls();
        _transactions.AbortAll();
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}
