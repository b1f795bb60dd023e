using System.Globalization;

namespace ConferenceCluster.Sip.Sdp;

/// <summary>An answer with audio (as <see cref="SdpOfferAnswer.CreateAudioAnswer"/> makes it) and, if agreed, main video.</summary>
public sealed record SdpMediaAnswer(SdpAnswerResult Audio, NegotiatedVideo? Video)
{
    public bool IsSuccess => Audio.IsSuccess;

    public SdpSessionDescription? Answer => Audio.Answer;
}

/// <summary>
/// RFC 3264 offer/answer for main video, VP8 (RFC 7741), next to the audio of <see cref="SdpOfferAnswer"/>, which it
/// leaves as it is: the audio answer is made exactly as for an audio-only call, and only then the first usable
/// m=video line (RTP/AVP or RTP/AVPF, VP8 offered) is accepted in place of its rejection. Without video options (an
/// audio-only conference, R-CAP-3) or without a usable video line the answer is the audio answer unchanged.
/// </summary>
public static class SdpVideoOfferAnswer
{
    public const string Vp8EncodingName = "VP8";
    public const int VideoClockRate = 90000;

    private const string VideoProtocol = "RTP/AVP";

    /// <summary>Answers an offer: audio as <see cref="SdpOfferAnswer.CreateAudioAnswer"/> does, plus video when both sides can.</summary>
    /// <param name="video">Our video, or null to answer audio only (every m=video rejected, as today).</param>
    public static SdpMediaAnswer CreateAnswer(SdpSessionDescription offer, SdpAudioOptions audio, SdpVideoOptions? video)
    {
        ArgumentNullException.ThrowIfNull(offer);
        SdpAnswerResult result = SdpOfferAnswer.CreateAudioAnswer(offer, audio);
        if (!result.IsSuccess || video is null)
        {
            return new SdpMediaAnswer(result, null);
        }

        int index = offer.Media.FindIndex(IsCandidateVideo);
        if (index < 0 || offer.GetEffectiveConnection(offer.Media[index]) is not { } connection)
        {
            return new SdpMediaAnswer(result, null);
        }

        SdpMediaDescription offered = offer.Media[index];
        if (Vp8PayloadType(offered) is not { } payloadType)
        {
            return new SdpMediaAnswer(result, null); // only other codecs (H.264, VP9…): video stays rejected
        }

        SdpDirection offerDirection = offered.Direction ?? offer.Direction ?? SdpDirection.SendRecv;
        if (connection.IsHoldAddress && offerDirection.CanReceive())
        {
            offerDirection = offerDirection == SdpDirection.SendRecv ? SdpDirection.SendOnly : SdpDirection.Inactive;
        }

        SdpDirection direction = SdpDirectionExtensions.Intersect(video.LocalDirection, offerDirection.Reverse());
        SdpVideoFeedback feedback = SdpVideoAttributes.Feedback(offered, payloadType) & video.Feedback;
        result.Answer!.Media[index] = Describe(video, offered.Protocol, payloadType, feedback, direction,
            imageAttr: offered.HasAttribute("imageattr"));
        return new SdpMediaAnswer(result, Negotiated(offer, offered, index, payloadType, connection, direction, feedback));
    }

    /// <summary>Adds our m=video line to an offer (one made by <see cref="SdpOfferAnswer.CreateAudioOffer"/>, for a dial-out or a re-INVITE adding video).</summary>
    public static void AddVideo(SdpSessionDescription offer, SdpVideoOptions video)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(video);
        offer.Media.Add(Describe(video, VideoProtocol, video.PreferredPayloadType, video.Feedback, video.LocalDirection, imageAttr: true));
    }

    /// <summary>Reads the video part of the answer to an offer we made with <see cref="AddVideo"/>; null if it rejected or lacks video.</summary>
    public static NegotiatedVideo? ReadAnswer(SdpSessionDescription offer, SdpSessionDescription answer, SdpVideoOptions video)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(video);
        int index = offer.Media.FindIndex(IsCandidateVideo);
        if (index < 0 || answer.Media.Count != offer.Media.Count)
        {
            return null;
        }

        SdpMediaDescription answered = answer.Media[index];
        if (answered.Media != "video" || answered.Port == 0 || answer.GetEffectiveConnection(answered) is not { } connection ||
            Vp8PayloadType(answered, fallback: offer.Media[index]) is not { } payloadType)
        {
            return null;
        }

        SdpDirection remote = answered.Direction ?? answer.Direction ?? SdpDirection.SendRecv;
        SdpDirection direction = SdpDirectionExtensions.Intersect(video.LocalDirection, remote.Reverse());
        SdpVideoFeedback feedback = SdpVideoAttributes.Feedback(answered, payloadType) & video.Feedback;
        return Negotiated(answer, answered, index, payloadType, connection, direction, feedback);
    }

    /// <summary>An m=video line we can take: not disabled, plain RTP (RTP/AVP or RTP/AVPF; SRTP and WebRTC are other paths).</summary>
    public static bool IsCandidateVideo(SdpMediaDescription media) =>
        media.Media == "video" && media.Port != 0 &&
        (string.Equals(media.Protocol, "RTP/AVP", StringComparison.OrdinalIgnoreCase) || string.Equals(media.Protocol, "RTP/AVPF", StringComparison.OrdinalIgnoreCase));

    /// <summary>The first payload type the line lists whose rtpmap is VP8/90000 (rtpmaps of <paramref name="fallback"/> too: an answer may omit them).</summary>
    private static int? Vp8PayloadType(SdpMediaDescription media, SdpMediaDescription? fallback = null)
    {
        var maps = media.RtpMaps.Concat(fallback?.RtpMaps ?? []).ToList();
        foreach (string format in media.Formats)
        {
            if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) &&
                maps.Exists(m => m.PayloadType == pt && string.Equals(m.EncodingName, Vp8EncodingName, StringComparison.OrdinalIgnoreCase) && m.ClockRate == VideoClockRate))
            {
                return pt;
            }
        }

        return null;
    }

    private static SdpMediaDescription Describe(SdpVideoOptions video, string protocol, int payloadType, SdpVideoFeedback feedback, SdpDirection direction, bool imageAttr)
    {
        string pt = payloadType.ToString(CultureInfo.InvariantCulture);
        var media = new SdpMediaDescription("video", video.LocalRtpPort, protocol, [pt]);
        // What we want to receive (RFC 3264 5.8): b=AS in kbit/s, and b=TIAS (RFC 3890) in bit/s for those who read it.
        media.Bandwidths.Add("AS:" + video.MaxReceiveKbps.ToString(CultureInfo.InvariantCulture));
        media.Bandwidths.Add("TIAS:" + ((long)video.MaxReceiveKbps * 1000).ToString(CultureInfo.InvariantCulture));
        media.Attributes.Add(new SdpAttribute("rtpmap", $"{pt} {Vp8EncodingName}/{VideoClockRate}"));
        media.Attributes.Add(new SdpAttribute("fmtp", string.Create(CultureInfo.InvariantCulture, $"{pt} max-fs={video.MaxReceiveMacroblocks};max-fr={video.MaxFrameRate}")));
        if (feedback.HasFlag(SdpVideoFeedback.Nack)) media.Attributes.Add(new SdpAttribute("rtcp-fb", pt + " nack"));
        if (feedback.HasFlag(SdpVideoFeedback.PictureLossIndication)) media.Attributes.Add(new SdpAttribute("rtcp-fb", pt + " nack pli"));
        if (feedback.HasFlag(SdpVideoFeedback.FullIntraRequest)) media.Attributes.Add(new SdpAttribute("rtcp-fb", pt + " ccm fir"));
        if (feedback.HasFlag(SdpVideoFeedback.Remb)) media.Attributes.Add(new SdpAttribute("rtcp-fb", pt + " goog-remb"));
        if (imageAttr)
        {
            media.Attributes.Add(new SdpAttribute("imageattr", string.Create(CultureInfo.InvariantCulture, $"{pt} recv [x={video.MaxReceiveWidth},y={video.MaxReceiveHeight}]")));
        }

        media.Attributes.Add(new SdpAttribute("framerate", video.MaxFrameRate.ToString(CultureInfo.InvariantCulture)));
        media.Attributes.Add(new SdpAttribute(direction.ToAttributeName()));
        return media;
    }

    private static NegotiatedVideo Negotiated(SdpSessionDescription session, SdpMediaDescription remote, int index, int payloadType, SdpConnection connection,
        SdpDirection direction, SdpVideoFeedback feedback)
    {
        string? fmtp = remote.GetFormatParameters(payloadType);
        (int Width, int Height)? image = SdpVideoAttributes.ImageAttrReceiveMaximum(remote, payloadType);
        return new NegotiatedVideo
        {
            MediaIndex = index,
            PayloadType = payloadType,
            RemoteAddress = connection.Host,
            RemoteRtpPort = remote.Port,
            RemoteRtcpPort = remote.RtcpPort ?? remote.Port + 1,
            Direction = direction,
            Feedback = feedback,
            MaxWidth = image?.Width,
            MaxHeight = image?.Height,
            MaxMacroblocks = SdpVideoAttributes.FormatParameter(fmtp, "max-fs"),
            MaxFrameRate = SdpVideoAttributes.FormatParameter(fmtp, "max-fr"),
            MaxBitrateKbps = SdpVideoAttributes.BandwidthKbps(session, remote),
        };
    }
}
