namespace ConferenceCluster.Sip.Sdp;

/// <summary>An audio payload format we can send and receive, as named in a=rtpmap.</summary>
/// <param name="EncodingName">The rtpmap encoding name; compared case-insensitively (RFC 4855 3).</param>
/// <param name="StaticPayloadType">The RFC 3551 static payload type, if the format has one.</param>
/// <param name="PreferredPayloadType">The payload type we use when we make the offer.</param>
public sealed record AudioCodec(string EncodingName, int ClockRate, int Channels, int? StaticPayloadType, int PreferredPayloadType)
{
    /// <summary>Opus is always opus/48000/2 in SDP whatever is actually sent (RFC 7587 7).</summary>
    public static AudioCodec Opus { get; } = new("opus", 48000, 2, null, 111);

    /// <summary>G.711 mu-law, static payload type 0 (RFC 3551 6).</summary>
    public static AudioCodec Pcmu { get; } = new("PCMU", 8000, 1, 0, 0);

    /// <summary>G.711 A-law, static payload type 8 (RFC 3551 6).</summary>
    public static AudioCodec Pcma { get; } = new("PCMA", 8000, 1, 8, 8);

    /// <summary>DTMF events (RFC 4733 7.1.1); not a voice codec, negotiated next to one.</summary>
    public static AudioCodec TelephoneEvent { get; } = new("telephone-event", 8000, 1, null, 101);

    /// <summary>Our voice codecs, most preferred first: Opus, then PCMU, then PCMA.</summary>
    public static IReadOnlyList<AudioCodec> DefaultPreference { get; } = [Opus, Pcmu, Pcma];

    public bool Matches(SdpRtpMap map) =>
        string.Equals(map.EncodingName, EncodingName, StringComparison.OrdinalIgnoreCase) &&
        map.ClockRate == ClockRate &&
        map.Channels == Channels;

    public SdpRtpMap ToRtpMap(int payloadType) => new(payloadType, EncodingName, ClockRate, Channels);
}
