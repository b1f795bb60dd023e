using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Srtp;

namespace ConferenceCluster.Media.WebRtc.Transport;

/// <summary>What a WebRTC leg's port has seen: ICE, DTLS, SRTP both ways, and everything dropped and why.</summary>
public sealed record WebRtcTransportStatistics
{
    public required IceLiteStatistics Ice { get; init; }

    public required DtlsState DtlsState { get; init; }

    public string? DtlsFailure { get; init; }

    /// <summary>The browser's SRTP/SRTCP: unprotected, and refused (authentication, replay, malformed).</summary>
    public required SrtpStatistics Inbound { get; init; }

    public required SrtpStatistics Outbound { get; init; }

    /// <summary>DTLS or SRTP from an address that has not passed an ICE check (RFC 8445 §7.3: ignored).</summary>
    public required long DroppedFromUnvalidatedAddress { get; init; }

    /// <summary>SRTP that arrived before the DTLS handshake gave keys.</summary>
    public required long DroppedBeforeKeys { get; init; }

    /// <summary>Datagrams whose first byte is none of STUN, DTLS, RTP (RFC 7983).</summary>
    public required long DroppedUnknown { get; init; }

    /// <summary>DTLS records the handshake queue had no room for.</summary>
    public required long DroppedDtls { get; init; }
}
