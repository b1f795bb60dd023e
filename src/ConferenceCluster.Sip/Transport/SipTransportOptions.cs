using System.Net;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Transport;

/// <summary>Where and how the stack listens, and the bounds that keep a hostile peer cheap.</summary>
public sealed class SipTransportOptions
{
    /// <summary>Address the UDP and TCP listeners bind to; <see cref="IPAddress.Any"/> by default.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>One port for UDP and TCP (RFC 3261 18.1.1: 5060). 0 picks a free port for both (tests).</summary>
    public int Port { get; init; } = 5060;

    public bool EnableUdp { get; init; } = true;

    public bool EnableTcp { get; init; } = true;

    /// <summary>
    /// Host written in our Via sent-by and Contact. Null: the local address the peer reached us on
    /// (the datagram's destination or the connection's local end), which is right unless behind NAT.
    /// </summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>Limits for each message; also bounds the TCP receive buffer.</summary>
    public SipParserOptions Parser { get; init; } = SipParserOptions.Default;

    /// <summary>
    /// SO_RCVBUF of the UDP socket. A burst of datagrams (a flood, or many calls at once) waits here while
    /// the receive loop works; when it overflows the kernel drops datagrams and UDP retransmissions must recover.
    /// </summary>
    public int UdpReceiveBufferSize { get; init; } = 1 << 20;

    /// <summary>Accepted plus outgoing TCP connections; more are refused at once.</summary>
    public int MaxTcpConnections { get; init; } = 4096;

    /// <summary>Messages queued for sending on one TCP connection; a peer that does not read is disconnected when it overflows.</summary>
    public int MaxQueuedMessagesPerConnection { get; init; } = 256;

    /// <summary>A TCP connection with no traffic either way for this long is closed.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an outgoing TCP connect may take before the queued messages are dropped.</summary>
    public TimeSpan TcpConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most one warning per peer address in this interval, so a flood cannot flood the log too.</summary>
    public TimeSpan PeerLogInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How many peer addresses the log throttle remembers before it starts afresh.</summary>
    public int MaxThrottledPeers { get; init; } = 4096;
}
