namespace ConferenceCluster.Sip.Sdp;

/// <summary>What we put in an SDP offer or answer: where our media is and what we accept.</summary>
public sealed class SdpAudioOptions
{
    /// <summary>The media node's address the endpoint sends RTP to (may be another silo than the signalling one).</summary>
    public required string LocalAddress { get; init; }

    public required int LocalRtpPort { get; init; }

    public string Username { get; init; } = "-";

    public ulong SessionId { get; init; }

    /// <summary>Incremented by the caller for each new description in the session (RFC 3264 8).</summary>
    public ulong SessionVersion { get; init; }

    public string SessionName { get; init; } = "-";

    /// <summary>Voice codecs we accept, most preferred first.</summary>
    public IReadOnlyList<AudioCodec> Codecs { get; init; } = AudioCodec.DefaultPreference;

    /// <summary>
    /// False (default): pick our most preferred codec the offer contains. True: pick the offer's first
    /// codec we support (RFC 3264 6.1 lets the answerer choose; the offerer's order is a preference).
    /// </summary>
    public bool PreferOffererOrder { get; init; }

    /// <summary>Answer telephone-event (RFC 4733) when offered.</summary>
    public bool AcceptTelephoneEvent { get; init; } = true;

    /// <summary>Packetization we want to receive, in ms (a=ptime).</summary>
    public int PtimeMs { get; init; } = 20;

    /// <summary>What we want to do; the answer never exceeds what the offer allows (RFC 3264 6.1).</summary>
    public SdpDirection LocalDirection { get; init; } = SdpDirection.SendRecv;

    /// <summary>
    /// Accept the RFC 6464 client-to-mixer audio level header extension when offered: the answer echoes the offer's
    /// "a=extmap" with the same id (RFC 8285 §6), and the media node then decodes a quiet sender only when needed.
    /// </summary>
    public bool AcceptAudioLevels { get; init; } = true;

    /// <summary>a=fmtp for Opus in our answer (RFC 7587 6.1), or null for none.</summary>
    public string? OpusFormatParameters { get; init; } = "minptime=10;useinbandfec=1";
}
