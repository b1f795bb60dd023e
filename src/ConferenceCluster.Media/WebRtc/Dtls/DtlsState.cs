namespace ConferenceCluster.Media.WebRtc.Dtls;

/// <summary>Where a leg's DTLS association stands.</summary>
public enum DtlsState
{
    /// <summary>Waiting for the browser's ClientHello.</summary>
    New,
    Handshaking,
    /// <summary>Handshake done, SRTP keys exported: media may flow.</summary>
    Connected,
    /// <summary>The handshake failed (timeout, a fatal alert, a certificate that does not match the offer).</summary>
    Failed,
    /// <summary>The browser closed the association (close_notify) or the leg was removed.</summary>
    Closed,
}
