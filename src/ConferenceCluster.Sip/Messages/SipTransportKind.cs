namespace ConferenceCluster.Sip.Messages;

/// <summary>How the bytes arrived; it decides how the body is framed (RFC 3261 18.3).</summary>
public enum SipTransportKind
{
    /// <summary>UDP: one message per datagram; a missing Content-Length means "to the end of the datagram".</summary>
    Datagram,

    /// <summary>TCP/TLS: a byte stream; Content-Length is required and frames the message.</summary>
    Stream,
}
