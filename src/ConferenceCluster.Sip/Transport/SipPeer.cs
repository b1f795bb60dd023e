using System.Net;

namespace ConferenceCluster.Sip.Transport;

/// <summary>The transport protocols the stack speaks (RFC 3261 18). TLS and WebSocket are not implemented yet.</summary>
public enum SipProtocol
{
    Udp,
    Tcp,
}

/// <summary>
/// One end of a SIP flow: the protocol and the peer's address. For TCP it also names the connection,
/// because connections are kept per remote address (RFC 3261 18.2.2 answers on the connection a request came in on).
/// </summary>
public readonly record struct SipPeer(SipProtocol Protocol, IPEndPoint RemoteEndPoint)
{
    /// <summary>Our address on this flow (the datagram's destination address or the connection's local end), when known.</summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    public bool IsReliable => Protocol == SipProtocol.Tcp;

    /// <summary>The transport token of a Via header (RFC 3261 20.42).</summary>
    public string ViaTransport => Protocol == SipProtocol.Tcp ? "TCP" : "UDP";

    public override string ToString() => $"{ViaTransport} {RemoteEndPoint}";
}
