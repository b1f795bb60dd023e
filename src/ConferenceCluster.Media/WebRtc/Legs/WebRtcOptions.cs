using System.Net;
using ConferenceCluster.Media.WebRtc.Dtls;

namespace ConferenceCluster.Media.WebRtc.Legs;

/// <summary>A media node's WebRTC settings.</summary>
public sealed record WebRtcOptions
{
    /// <summary>
    /// The address put in every answer's host candidate (the node's advertised media address). Null: the engine's
    /// bind address, which must then be a specific one (not 0.0.0.0).
    /// </summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>The node's DTLS certificate; null generates one (ECDSA P-256, 30 days) when the factory is made.</summary>
    public DtlsCertificate? Certificate { get; init; }

    /// <summary>How long a DTLS handshake may take from the first ClientHello (default 30 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>RFC 7675 §5.1: without a valid check for this long the leg stops sending (default 30 s).</summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Clock of the consent timeout (tests may substitute one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Per-leg choices of the caller (the gateway or media node grain).</summary>
public sealed record WebRtcLegOptions
{
    /// <summary>
    /// The candidate to answer with instead of the leg's own address and port: a proxying edge's outer relay
    /// endpoint (<see cref="Relay.WebRtcRelay.OuterEndPoint"/>) when the browser reaches this node through one.
    /// </summary>
    public IPEndPoint? Candidate { get; init; }

    /// <summary>Called once per DTMF key press the browser sends (RFC 4733), on the thread pool.</summary>
    public Action<Workers.MediaParticipant, Rtp.DtmfDigit>? DtmfReceived { get; init; }

    /// <summary>How our audio to the browser is encoded; null for the codec's default (Opus voice).</summary>
    public Codecs.EncoderProfile? EncoderProfile { get; init; }
}
