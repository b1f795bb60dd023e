namespace ConferenceCluster.Media.WebRtc.Sdp;

/// <summary>Why a browser's offer cannot be answered; the client API answers each with 400 and the message.</summary>
public enum WebRtcOfferError
{
    /// <summary>Not parseable SDP.</summary>
    NotSdp,
    /// <summary>No active audio m= line.</summary>
    NoAudio,
    /// <summary>The audio is not UDP/TLS/RTP/SAVPF (DTLS-SRTP, RFC 5764 §8), so it is not WebRTC media.</summary>
    NotDtlsSrtp,
    /// <summary>No a=ice-ufrag / a=ice-pwd, or malformed ones (RFC 8839 §5.4).</summary>
    NoIceCredentials,
    /// <summary>No a=fingerprint with a hash we know (RFC 8122 §5).</summary>
    NoFingerprint,
    /// <summary>None of Opus, PCMU, PCMA offered.</summary>
    NoSupportedCodec,
    /// <summary>No a=rtcp-mux: this node takes RTP and RTCP on one port only (RFC 5761, RFC 8829 §5.1.3).</summary>
    NoRtcpMux,
    /// <summary>a=setup:passive (the browser wants to be the DTLS server; we only serve).</summary>
    UnsupportedSetup,
}

/// <summary>A browser offer we cannot answer, and why (<see cref="Error"/>); the message names the missing piece.</summary>
public sealed class WebRtcOfferException(WebRtcOfferError error, string message) : Exception(message)
{
    public WebRtcOfferError Error { get; } = error;
}
