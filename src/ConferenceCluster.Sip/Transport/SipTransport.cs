using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Sip.Transport;

/// <summary>
/// The transport layer (RFC 3261 18): UDP and TCP listeners on one port, message framing, the
/// received/rport stamp on requests (18.2.1, RFC 3581 4), the parser's 400/505 answers, and sending.
/// Whatever a peer sends, the worst outcome is one dropped message or one closed connection.
/// </summary>
public sealed class SipTransport : IAsyncDisposable
{
    private const int BindAttempts = 16;

    private readonly SipTransportOptions _options;
    private readonly ILogger _logger;
    private readonly PeerLogThrottle _throttle;
    private readonly CancellationTokenSource _stopping = new();
    private Action<SipMessage, SipPeer>? _onMessage;
    private SipUdpChannel? _udp;
    private SipTcpChannel? _tcp;

    public SipTransport(SipTransportOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _logger = logger;
        TimeProvider = timeProvider;
        _throttle = new PeerLogThrottle(timeProvider, options.PeerLogInterval, options.MaxThrottledPeers);
    }

    internal TimeProvider TimeProvider { get; }

    internal SipTransportOptions Options => _options;

    internal ILogger Logger => _logger;

    /// <summary>The port both listeners are bound to (the chosen one when <see cref="SipTransportOptions.Port"/> was 0).</summary>
    public int Port { get; private set; }

    public IPEndPoint? UdpEndPoint => _udp?.LocalEndPoint;

    public IPEndPoint? TcpEndPoint => _tcp?.LocalEndPoint;

    /// <summary>Binds the listeners and starts one receive loop per transport; every well-formed message goes to <paramref name="onMessage"/>.</summary>
    public void Start(Action<SipMessage, SipPeer> onMessage)
    {
        if (_onMessage is not null) throw new InvalidOperationException("The transport is already started.");
        if (!_options.EnableUdp && !_options.EnableTcp) throw new InvalidOperationException("Enable UDP, TCP or both.");
        _onMessage = onMessage;

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Bind();
                break;
            }
            catch (SocketException e) when (_options.Port == 0 && attempt < BindAttempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // The ephemeral port UDP got is taken for TCP: try another pair.
                _udp?.Dispose();
                _udp = null;
            }
        }
        _udp?.StartReceiving(_stopping.Token);
        _tcp?.StartAccepting(_stopping.Token);
        _logger.LogInformation("SIP transport listening on {Address} port {Port} ({Udp}{Tcp})", _options.BindAddress, Port,
            _udp is null ? "" : "UDP ", _tcp is null ? "" : "TCP");
    }

    private void Bind()
    {
        var port = _options.Port;
        if (_options.EnableUdp)
        {
            _udp = new SipUdpChannel(this, new IPEndPoint(_options.BindAddress, port));
            port = _udp.LocalEndPoint.Port;
        }
        if (_options.EnableTcp)
        {
            _tcp = new SipTcpChannel(this, new IPEndPoint(_options.BindAddress, port));
            port = _tcp.LocalEndPoint.Port;
        }
        Port = port;
    }

    /// <summary>Sends bytes already serialized (a retransmission reuses them). Never throws for network errors.</summary>
    public void Send(ReadOnlyMemory<byte> message, SipPeer destination)
    {
        switch (destination.Protocol)
        {
            case SipProtocol.Udp when _udp is not null:
                _udp.Send(message, destination.RemoteEndPoint);
                break;
            case SipProtocol.Tcp when _tcp is not null:
                _tcp.Send(message, destination.RemoteEndPoint);
                break;
            default:
                WarnPeer(destination.RemoteEndPoint, "cannot send over {Protocol}: that transport is disabled", destination.Protocol);
                break;
        }
    }

    public void Send(SipMessage message, SipPeer destination) => Send(SipSerializer.Serialize(message), destination);

    /// <summary>
    /// The host for our Via sent-by and Contact on a flow: the configured public host, else the local
    /// address the peer reached us on, else the bind address.
    /// </summary>
    public string GetAdvertisedHost(SipPeer flow)
    {
        if (_options.AdvertisedHost is { } host) return host;
        var address = flow.LocalEndPoint?.Address;
        if (address is null || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) address = _options.BindAddress;
        if (address.Equals(IPAddress.Any)) address = IPAddress.Loopback;
        if (address.Equals(IPAddress.IPv6Any)) address = IPAddress.IPv6Loopback;
        return FormatHost(address);
    }

    internal static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();

    /// <summary>
    /// Where a response goes (RFC 3261 18.2.2): over TCP, back on the connection the request came in
    /// on; over UDP, to the received address and rport (RFC 3581 4) of the top Via, which
    /// <see cref="Deliver"/> has stamped, so it is an address literal. If that TCP connection has
    /// closed by the time we answer, a new one goes to the source address and port (18.2.2 would use the
    /// sent-by port; behind NAT the source is the better bet, as RFC 3581 argues for UDP).
    /// </summary>
    public static SipPeer GetResponseDestination(SipVia? topVia, SipPeer source)
    {
        if (source.Protocol == SipProtocol.Tcp || topVia is null) return source;
        var (host, port) = topVia.GetResponseDestination();
        return IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? source with { RemoteEndPoint = new IPEndPoint(Normalize(address), port) }
            : source;
    }

    /// <summary>Handles one framed message from either transport: stamps and delivers it, answers it with 400/505, or drops it.</summary>
    internal void Deliver(in SipParseResult result, SipPeer source)
    {
        switch (result.Status)
        {
            case SipParseStatus.Success:
                var message = result.Message!;
                if (message is SipRequest request)
                {
                    // RFC 3261 18.2.1 / RFC 3581 4: remember where the request really came from.
                    request.StampReceived(source.RemoteEndPoint.Address.ToString(), source.RemoteEndPoint.Port);
                }
                _onMessage!(message, source);
                break;
            case SipParseStatus.RespondWithError:
                RespondToMalformed(result, source);
                break;
            case SipParseStatus.Drop when result.Error != SipParseError.Empty:
                WarnPeer(source.RemoteEndPoint, "dropped a message: {Error}", result.ToString());
                break;
        }
    }

    private void RespondToMalformed(in SipParseResult result, SipPeer source)
    {
        WarnPeer(source.RemoteEndPoint, "answered a malformed request: {Error}", result.ToString());
        var response = SipResponseFactory.CreateErrorResponse(result);
        if (response is null) return;
        // The top Via may be the malformed part (see SipParseStatus.RespondWithError): then the source it is.
        SipVia? via = null;
        var viaText = result.RejectedRequestHeaders?.GetFirst(SipHeaderNames.Via);
        if (viaText is not null && SipVia.TryParse(viaText, out via, out _))
        {
            via!.StampReceived(source.RemoteEndPoint.Address.ToString(), source.RemoteEndPoint.Port);
        }
        Send(response, GetResponseDestination(via, source));
    }

    internal void WarnPeer(IPEndPoint peer, string message, object? argument)
    {
        if (!_logger.IsEnabled(LogLevel.Warning) || !_throttle.ShouldLog(peer.Address)) return;
#pragma warning disable CA2254 // the template is one of a few constants above
        _logger.LogWarning("SIP peer {Peer}: " + message + " (further warnings for this peer are suppressed for a while)", peer, argument);
#pragma warning restore CA2254
    }

    internal static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    internal static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _udp?.Dispose();
        if (_tcp is not null) await _tcp.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
