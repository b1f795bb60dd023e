using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Sip.Sdp;

/// <summary>
/// RFC 3264 offer/answer for our one audio stream. As answerer: accept the first audio m= line we can
/// serve, reject every other m= line with port 0 (RFC 3264 6), and pick one voice codec plus
/// telephone-event. As offerer: offer our codecs and read what the answer agreed.
/// </summary>
public static class SdpOfferAnswer
{
    private const string AudioProtocol = "RTP/AVP";

    /// <summary>RFC 6464's header extension URI (client-to-mixer audio level).</summary>
    public const string AudioLevelExtensionUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    public static SdpAnswerResult CreateAudioAnswer(SdpSessionDescription offer, SdpAudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);

        var answer = NewDescription(options);
        NegotiatedAudio? audio = null;
        var sawAudio = false;
        var sawAudioWithoutConnection = false;

        for (var i = 0; i < offer.Media.Count; i++)
        {
            var offered = offer.Media[i];
            if (audio is null && IsCandidateAudio(offered))
            {
                sawAudio = true;
                var connection = offer.GetEffectiveConnection(offered);
                if (connection is null)
                {
                    sawAudioWithoutConnection = true;
                }
                else if (TryAccept(offer, offered, connection, i, options, out var media, out var agreed))
                {
                    answer.Media.Add(media!);
                    audio = agreed;
                    continue;
                }
            }
            answer.Media.Add(Rejected(offered));
        }

        if (audio is not null) return SdpAnswerResult.Success(answer, audio);
        if (sawAudioWithoutConnection)
            return SdpAnswerResult.Failed(SdpNegotiationFailure.MissingConnection, "the audio stream has no c= line at media or session level");
        return sawAudio
            ? SdpAnswerResult.Failed(SdpNegotiationFailure.NoCommonCodec, "no offered audio format is one of " + DescribeCodecs(options.Codecs))
            : SdpAnswerResult.Failed(SdpNegotiationFailure.NoAudioStream, "the offer has no active RTP/AVP audio stream");
    }

    private static SdpSessionDescription NewDescription(SdpAudioOptions options)
    {
        var addressType = AddressTypeOf(options.LocalAddress);
        var answer = new SdpSessionDescription
        {
            Origin = new SdpOrigin(options.Username, options.SessionId.ToString(CultureInfo.InvariantCulture),
                options.SessionVersion, "IN", addressType, options.LocalAddress),
            SessionName = options.SessionName,
            Connection = new SdpConnection("IN", addressType, options.LocalAddress),
        };
        answer.Timings.Add(SdpTiming.Permanent);
        return answer;
    }

    /// <summary>
    /// An offer with one audio stream listing our codecs in preference order (static payload types
    /// where they exist, else the preferred dynamic one) and telephone-event/8000 (RFC 3264 5).
    /// </summary>
    public static SdpSessionDescription CreateAudioOffer(SdpAudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var offer = NewDescription(options);
        var media = new SdpMediaDescription("audio", options.LocalRtpPort, AudioProtocol, Array.Empty<string>());
        foreach (var codec in options.Codecs)
        {
            var pt = codec.StaticPayloadType ?? codec.PreferredPayloadType;
            media.Formats.Add(pt.ToString(CultureInfo.InvariantCulture));
            media.Attributes.Add(new SdpAttribute("rtpmap", codec.ToRtpMap(pt).ToString()));
            if (codec == AudioCodec.Opus && options.OpusFormatParameters is { } opusFmtp)
            {
                media.Attributes.Add(new SdpAttribute("fmtp", $"{pt} {opusFmtp}"));
            }
        }
        if (options.AcceptTelephoneEvent)
        {
            var te = AudioCodec.TelephoneEvent.PreferredPayloadType;
            media.Formats.Add(te.ToString(CultureInfo.InvariantCulture));
            media.Attributes.Add(new SdpAttribute("rtpmap", AudioCodec.TelephoneEvent.ToRtpMap(te).ToString()));
            media.Attributes.Add(new SdpAttribute("fmtp", $"{te} 0-16"));
        }
        media.Attributes.Add(new SdpAttribute("ptime", options.PtimeMs.ToString(CultureInfo.InvariantCulture)));
        media.Attributes.Add(new SdpAttribute(options.LocalDirection.ToAttributeName()));
        offer.Media.Add(media);
        return offer;
    }

    /// <summary>
    /// Reads the answer to an offer we made (RFC 3264 6, 7): the same m= lines in the same order, our
    /// audio stream not rejected, and a voice codec we offered. The answerer lists formats in its
    /// preference order, so the first one we support is what we send.
    /// </summary>
    public static SdpAnswerResult ProcessAnswer(SdpSessionDescription offer, SdpSessionDescription answer, SdpAudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(options);
        if (answer.Media.Count != offer.Media.Count)
        {
            return SdpAnswerResult.Failed(SdpNegotiationFailure.AnswerMismatch,
                $"the answer has {answer.Media.Count} m= lines, the offer {offer.Media.Count} (RFC 3264 6)");
        }
        var index = offer.Media.FindIndex(IsCandidateAudio);
        if (index < 0) return SdpAnswerResult.Failed(SdpNegotiationFailure.NoAudioStream, "the offer had no audio stream");
        var answered = answer.Media[index];
        if (answered.Media != "audio" || answered.Port == 0)
        {
            return SdpAnswerResult.Failed(SdpNegotiationFailure.NoAudioStream, "the answer rejected the audio stream");
        }
        var connection = answer.GetEffectiveConnection(answered);
        if (connection is null)
        {
            return SdpAnswerResult.Failed(SdpNegotiationFailure.MissingConnection, "the audio stream has no c= line at media or session level");
        }

        // An answer may leave out rtpmaps for payload types it took from our offer.
        var formats = ResolveFormats(answered, fallback: offer.Media[index]);
        var choice = new SdpAudioOptions
        {
            LocalAddress = options.LocalAddress,
            LocalRtpPort = options.LocalRtpPort,
            Codecs = options.Codecs,
            PreferOffererOrder = true, // here the answerer's order is the one to follow
        };
        if (!TryChooseCodec(formats, choice, out var codec, out var payloadType))
        {
            return SdpAnswerResult.Failed(SdpNegotiationFailure.NoCommonCodec, "the answer chose no voice codec we offered");
        }
        var telephoneEvent = options.AcceptTelephoneEvent ? ChooseTelephoneEvent(formats, codec!.ClockRate) : null;
        var remoteDirection = answered.Direction ?? answer.Direction ?? SdpDirection.SendRecv;
        if (connection.IsHoldAddress && remoteDirection.CanReceive())
        {
            remoteDirection = remoteDirection == SdpDirection.SendRecv ? SdpDirection.SendOnly : SdpDirection.Inactive;
        }
        var audio = new NegotiatedAudio
        {
            MediaIndex = index,
            Codec = codec!,
            PayloadType = payloadType,
            TelephoneEventPayloadType = telephoneEvent?.PayloadType,
            TelephoneEventClockRate = telephoneEvent?.ClockRate ?? 0,
            RemoteAddress = connection.Host,
            RemoteRtpPort = answered.Port,
            RemoteRtcpPort = answered.RtcpPort ?? answered.Port + 1,
            Direction = SdpDirectionExtensions.Intersect(options.LocalDirection, remoteDirection.Reverse()),
            RemotePtime = answered.Ptime,
            RemoteFormatParameters = answered.GetFormatParameters(payloadType),
        };
        return SdpAnswerResult.Success(answer, audio);
    }

    private static string AddressTypeOf(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";

    // Port 0 in an offer means the offerer disabled the stream already (RFC 3264 8.2).
    private static bool IsCandidateAudio(SdpMediaDescription m) =>
        m.Media == "audio" && m.Port != 0 && string.Equals(m.Protocol, AudioProtocol, StringComparison.OrdinalIgnoreCase);

    /// <summary>RFC 3264 6: a rejected stream keeps its media type and protocol, port 0, and at least one format.</summary>
    private static SdpMediaDescription Rejected(SdpMediaDescription offered) =>
        new(offered.Media, 0, offered.Protocol, offered.Formats.Count > 0 ? offered.Formats : ["0"]);

    private static bool TryAccept(SdpSessionDescription offer, SdpMediaDescription offered, SdpConnection connection,
        int index, SdpAudioOptions options, out SdpMediaDescription? media, out NegotiatedAudio? agreed)
    {
        media = null;
        agreed = null;
        var formats = ResolveFormats(offered);
        if (!TryChooseCodec(formats, options, out var codec, out var payloadType)) return false;
        var telephoneEvent = options.AcceptTelephoneEvent ? ChooseTelephoneEvent(formats, codec!.ClockRate) : null;

        var direction = AnswerDirection(offer, offered, connection, options.LocalDirection);
        var audioLevelId = options.AcceptAudioLevels ? offered.GetExtensionId(AudioLevelExtensionUri) : null;
        media = BuildAcceptedMedia(offered, codec!, payloadType, telephoneEvent, direction, options);
        if (audioLevelId is { } levelId)
        {
            // RFC 8285 §6: the answer keeps the offer's id. We only receive levels (we send one mixed source).
            media.Attributes.Insert(media.Attributes.Count - 1, new SdpAttribute("extmap", $"{levelId.ToString(CultureInfo.InvariantCulture)} {AudioLevelExtensionUri}"));
        }
        agreed = new NegotiatedAudio
        {
            MediaIndex = index,
            Codec = codec!,
            PayloadType = payloadType,
            TelephoneEventPayloadType = telephoneEvent?.PayloadType,
            TelephoneEventClockRate = telephoneEvent?.ClockRate ?? 0,
            RemoteAddress = connection.Host,
            RemoteRtpPort = offered.Port,
            RemoteRtcpPort = offered.RtcpPort ?? offered.Port + 1,
            Direction = direction,
            RemotePtime = offered.Ptime,
            RemoteFormatParameters = offered.GetFormatParameters(payloadType),
            AudioLevelExtensionId = audioLevelId,
        };
        return true;
    }

    /// <summary>
    /// The offered payload types with their rtpmaps, in offer order. Static types 0 and 8 may come
    /// without an rtpmap (RFC 3551 6; RFC 4566 6 makes rtpmap optional for static types); dynamic
    /// types without one cannot be identified and are skipped.
    /// </summary>
    private static List<SdpRtpMap> ResolveFormats(SdpMediaDescription m, SdpMediaDescription? fallback = null)
    {
        var maps = new Dictionary<int, SdpRtpMap>();
        foreach (var map in m.RtpMaps) maps.TryAdd(map.PayloadType, map);
        if (fallback is not null)
        {
            foreach (var map in fallback.RtpMaps) maps.TryAdd(map.PayloadType, map);
        }
        var result = new List<SdpRtpMap>(m.Formats.Count);
        foreach (var f in m.Formats)
        {
            if (!int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127) continue;
            if (maps.TryGetValue(pt, out var map)) result.Add(map);
            else if (pt == 0) result.Add(AudioCodec.Pcmu.ToRtpMap(0));
            else if (pt == 8) result.Add(AudioCodec.Pcma.ToRtpMap(8));
        }
        return result;
    }

    private static bool TryChooseCodec(List<SdpRtpMap> formats, SdpAudioOptions options, out AudioCodec? codec, out int payloadType)
    {
        if (options.PreferOffererOrder)
        {
            foreach (var map in formats)
            {
                foreach (var ours in options.Codecs)
                {
                    if (ours.Matches(map)) return Found(ours, map.PayloadType, out codec, out payloadType);
                }
            }
        }
        else
        {
            foreach (var ours in options.Codecs)
            {
                foreach (var map in formats)
                {
                    if (ours.Matches(map)) return Found(ours, map.PayloadType, out codec, out payloadType);
                }
            }
        }
        codec = null;
        payloadType = -1;
        return false;

        static bool Found(AudioCodec c, int pt, out AudioCodec? codec, out int payloadType)
        {
            codec = c;
            payloadType = pt;
            return true;
        }
    }

    /// <summary>
    /// telephone-event at the voice codec's clock rate if offered (RFC 4733 2.1 wants them equal),
    /// else at 8000 Hz, the rate every DTMF detector understands.
    /// </summary>
    private static SdpRtpMap? ChooseTelephoneEvent(List<SdpRtpMap> formats, int voiceClockRate)
    {
        SdpRtpMap? fallback = null;
        foreach (var map in formats)
        {
            if (!string.Equals(map.EncodingName, AudioCodec.TelephoneEvent.EncodingName, StringComparison.OrdinalIgnoreCase)) continue;
            if (map.ClockRate == voiceClockRate) return map;
            if (map.ClockRate == 8000) fallback ??= map;
        }
        return fallback;
    }

    /// <summary>
    /// RFC 3264 6.1: sendonly is answered recvonly, recvonly sendonly, inactive inactive; our own wish
    /// can only narrow that. An RFC 2543 hold (c=0.0.0.0) means the offerer will not receive (RFC 3264 8.4).
    /// </summary>
    private static SdpDirection AnswerDirection(SdpSessionDescription offer, SdpMediaDescription offered, SdpConnection connection, SdpDirection local)
    {
        var offerDirection = offered.Direction ?? offer.Direction ?? SdpDirection.SendRecv;
        if (connection.IsHoldAddress && offerDirection.CanReceive())
        {
            offerDirection = offerDirection == SdpDirection.SendRecv ? SdpDirection.SendOnly : SdpDirection.Inactive;
        }
        return SdpDirectionExtensions.Intersect(local, offerDirection.Reverse());
    }

    private static SdpMediaDescription BuildAcceptedMedia(SdpMediaDescription offered, AudioCodec codec, int payloadType,
        SdpRtpMap? telephoneEvent, SdpDirection direction, SdpAudioOptions options)
    {
        var formats = new List<string>(2) { payloadType.ToString(CultureInfo.InvariantCulture) };
        if (telephoneEvent is { } te) formats.Add(te.PayloadType.ToString(CultureInfo.InvariantCulture));

        var media = new SdpMediaDescription("audio", options.LocalRtpPort, offered.Protocol, formats);
        media.Attributes.Add(new SdpAttribute("rtpmap", codec.ToRtpMap(payloadType).ToString()));
        if (codec == AudioCodec.Opus && options.OpusFormatParameters is { } opusFmtp)
        {
            media.Attributes.Add(new SdpAttribute("fmtp", $"{payloadType} {opusFmtp}"));
        }
        if (telephoneEvent is { } dtmf)
        {
            media.Attributes.Add(new SdpAttribute("rtpmap", new SdpRtpMap(dtmf.PayloadType, AudioCodec.TelephoneEvent.EncodingName, dtmf.ClockRate, 1).ToString()));
            // RFC 4733 7.1.1: without fmtp only events 0-15 are implied; answer with what was offered.
            var events = offered.GetFormatParameters(dtmf.PayloadType) ?? "0-15";
            media.Attributes.Add(new SdpAttribute("fmtp", $"{dtmf.PayloadType} {events}"));
        }
        media.Attributes.Add(new SdpAttribute("ptime", options.PtimeMs.ToString(CultureInfo.InvariantCulture)));
        media.Attributes.Add(new SdpAttribute(direction.ToAttributeName()));
        return media;
    }

    private static string DescribeCodecs(IReadOnlyList<AudioCodec> codecs) =>
        string.Join(", ", codecs.Select(c => $"{c.EncodingName}/{c.ClockRate}" + (c.Channels > 1 ? $"/{c.Channels}" : "")));
}
