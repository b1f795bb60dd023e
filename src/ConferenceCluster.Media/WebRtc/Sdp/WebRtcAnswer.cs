using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Sip.Sdp;
using MediaCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Media.WebRtc.Sdp;

/// <summary>What our side of the answer is: where the leg listens, its credentials and identity, the stream we send.</summary>
public sealed record WebRtcAnswerParameters
{
    /// <summary>The host candidate: the media node's advertised address and the leg's port (or a proxying edge's relay port).</summary>
    public required IPEndPoint Candidate { get; init; }

    public required IceCredentials IceCredentials { get; init; }

    public required DtlsFingerprint Fingerprint { get; init; }

    /// <summary>The SSRC of the mix we send (a=ssrc), so the browser maps it to the track at once.</summary>
    public required uint Ssrc { get; init; }

    public required string Cname { get; init; }

    /// <summary>a=msid stream id of the mix.</summary>
    public string StreamId { get; init; } = "conference";

    public string TrackId { get; init; } = "mix";

    public ulong SessionId { get; init; }
}

/// <summary>
/// Builds the SDP answer to a <see cref="WebRtcOffer"/> (JSEP, RFC 8829 §5.3): session-level a=ice-lite, the BUNDLE
/// group reduced to the audio, the audio m= line with our ICE credentials, fingerprint, a=setup:passive (we are
/// the DTLS server), rtcp-mux, the chosen codec (Opus with minptime=10;useinbandfec=1), telephone-event, the
/// echoed audio-level extmap, a=ssrc/a=msid for our stream and our single host candidate. Every other m= line
/// (video, a second audio, the data channel) is rejected with port 0 and keeps its mid (RFC 8843 §7.3.3,
/// RFC 3264 §6); it leaves the BUNDLE group.
/// </summary>
public static class WebRtcAnswer
{
    /// <summary>Opus settings of the answer (RFC 7587 §6.1): 10 ms frames allowed, in-band FEC wanted.</summary>
    public const string OpusFormatParameters = "minptime=10;useinbandfec=1";

    public static string Create(WebRtcOffer offer, WebRtcAnswerParameters ours)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(ours);
        string address = ours.Candidate.Address.ToString();
        string addressType = ours.Candidate.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var answer = new SdpSessionDescription
        {
            Origin = new SdpOrigin("-", ours.SessionId.ToString(CultureInfo.InvariantCulture), 2, "IN", addressType, address),
            SessionName = "-",
        };
        answer.Timings.Add(SdpTiming.Permanent);
        answer.Attributes.Add(new SdpAttribute("ice-lite"));
        if (offer.AudioMid is { } mid && offer.BundleMids.Count > 0)
        {
            answer.Attributes.Add(new SdpAttribute("group", "BUNDLE " + mid));
        }

        answer.Attributes.Add(new SdpAttribute("msid-semantic", " WMS " + ours.StreamId));
        for (int i = 0; i < offer.Description.Media.Count; i++)
        {
            SdpMediaDescription offered = offer.Description.Media[i];
            answer.Media.Add(i == offer.AudioMediaIndex ? Audio(offer, offered, ours, address, addressType) : Rejected(offered));
        }

        return answer.ToString();
    }

    private static SdpMediaDescription Audio(WebRtcOffer offer, SdpMediaDescription offered, WebRtcAnswerParameters ours, string address, string addressType)
    {
        string pt = offer.PayloadType.ToString(CultureInfo.InvariantCulture);
        var formats = new List<string> { pt };
        if (offer.TelephoneEventPayloadType is byte te)
        {
            formats.Add(te.ToString(CultureInfo.InvariantCulture));
        }

        int port = ours.Candidate.Port;
        var media = new SdpMediaDescription("audio", port, offered.Protocol, formats);
        media.Connections.Add(new SdpConnection("IN", addressType, address));
        List<SdpAttribute> a = media.Attributes;
        a.Add(new SdpAttribute("rtcp", $"{port} IN {addressType} {address}"));
        a.Add(new SdpAttribute("ice-ufrag", ours.IceCredentials.UsernameFragment));
        a.Add(new SdpAttribute("ice-pwd", ours.IceCredentials.Password));
        a.Add(new SdpAttribute("fingerprint", ours.Fingerprint.ToString()));
        a.Add(new SdpAttribute("setup", "passive"));
        if (offer.AudioMid is { } mid)
        {
            a.Add(new SdpAttribute("mid", mid));
        }

        if (offer.AudioLevelExtensionId is int extension)
        {
            a.Add(new SdpAttribute("extmap", $"{extension} {WebRtcOffer.AudioLevelExtensionUri}"));
        }

        // RFC 3264 §6.1: we send and receive whatever the browser allows (its sendonly is our recvonly).
        a.Add(new SdpAttribute(offer.Direction.Reverse().ToAttributeName()));
        a.Add(new SdpAttribute("msid", $"{ours.StreamId} {ours.TrackId}"));
        a.Add(new SdpAttribute("rtcp-mux"));
        a.Add(new SdpAttribute("rtpmap", offer.CodecMap.ToString()));
        if (offer.Codec == MediaCodec.Opus)
        {
            a.Add(new SdpAttribute("fmtp", $"{pt} {OpusFormatParameters}"));
        }

        if (offer.TelephoneEventPayloadType is byte dtmf)
        {
            a.Add(new SdpAttribute("rtpmap", new SdpRtpMap(dtmf, "telephone-event", offer.TelephoneEventClockRate, 1).ToString()));
            a.Add(new SdpAttribute("fmtp", $"{dtmf} {offer.TelephoneEvents ?? "0-15"}"));
        }

        a.Add(new SdpAttribute("ssrc", $"{ours.Ssrc} cname:{ours.Cname}"));
        a.Add(new SdpAttribute("ssrc", $"{ours.Ssrc} msid:{ours.StreamId} {ours.TrackId}"));
        // RFC 8839 §5.1: foundation, component 1 (rtcp-mux), priority of a host candidate (type preference 126).
        a.Add(new SdpAttribute("candidate", $"1 1 udp 2130706431 {address} {port} typ host"));
        a.Add(new SdpAttribute("end-of-candidates"));
        return media;
    }

    /// <summary>RFC 3264 §6: port 0, same media and protocol, at least one format; the mid stays (RFC 8843 §7.3.3).</summary>
    private static SdpMediaDescription Rejected(SdpMediaDescription offered)
    {
        var media = new SdpMediaDescription(offered.Media, 0, offered.Protocol, offered.Formats.Count > 0 ? offered.Formats : ["0"]);
        media.Connections.Add(new SdpConnection("IN", "IP4", "0.0.0.0"));
        if (offered.GetAttribute("mid") is { } mid)
        {
            media.Attributes.Add(new SdpAttribute("mid", mid));
        }

        return media;
    }
}
