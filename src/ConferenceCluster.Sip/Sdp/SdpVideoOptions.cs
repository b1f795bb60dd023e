namespace ConferenceCluster.Sip.Sdp;

/// <summary>What we put in an SDP offer or answer for main video (VP8, RFC 7741): where it goes and what we accept.</summary>
public sealed class SdpVideoOptions
{
    /// <summary>The video leg's RTP port on the media node (its own port pair, beside the audio leg's).</summary>
    public required int LocalRtpPort { get; init; }

    /// <summary>The VP8 payload type we offer (the offerer's is kept in an answer).</summary>
    public int PreferredPayloadType { get; init; } = 96;

    /// <summary>
    /// The largest picture we accept from the endpoint, in 16×16 macroblocks (a=fmtp max-fs); default 8160, 1080p. A
    /// conference limited to HD says 3600.
    /// </summary>
    public int MaxReceiveMacroblocks { get; init; } = 8160;

    public int MaxReceiveWidth { get; init; } = 1920;

    public int MaxReceiveHeight { get; init; } = 1080;

    /// <summary>The frame rate we send and accept (a=fmtp max-fr, a=framerate).</summary>
    public int MaxFrameRate { get; init; } = 30;

    /// <summary>What we ask the endpoint to send us at most, kbit/s (b=AS; b=TIAS in bit/s beside it), R-QoS-4's inbound limit.</summary>
    public int MaxReceiveKbps { get; init; } = 1500;

    /// <summary>Our video direction; the answer never exceeds what the offer allows.</summary>
    public SdpDirection LocalDirection { get; init; } = SdpDirection.SendRecv;

    /// <summary>The feedback we support and offer (a=rtcp-fb); an answer keeps those the offer also has.</summary>
    public SdpVideoFeedback Feedback { get; init; } = SdpVideoFeedback.All;
}

/// <summary>RTCP feedback for video (a=rtcp-fb, RFC 4585 §4.2; ccm fir RFC 5104 §7.1; goog-remb).</summary>
[Flags]
public enum SdpVideoFeedback
{
    None = 0,

    /// <summary>a=rtcp-fb:pt nack (generic NACK).</summary>
    Nack = 1,

    /// <summary>a=rtcp-fb:pt nack pli.</summary>
    PictureLossIndication = 2,

    /// <summary>a=rtcp-fb:pt ccm fir.</summary>
    FullIntraRequest = 4,

    /// <summary>a=rtcp-fb:pt goog-remb.</summary>
    Remb = 8,

    All = Nack | PictureLossIndication | FullIntraRequest | Remb,
}

/// <summary>What was agreed for the video stream, and what the endpoint said it can receive.</summary>
public sealed record NegotiatedVideo
{
    /// <summary>Index of the m=video line in offer and answer.</summary>
    public required int MediaIndex { get; init; }

    public required int PayloadType { get; init; }

    public required string RemoteAddress { get; init; }

    public required int RemoteRtpPort { get; init; }

    /// <summary>From a=rtcp (RFC 3605), else RTP port + 1.</summary>
    public required int RemoteRtcpPort { get; init; }

    /// <summary>Our direction as written in the answer: can send means the endpoint receives our composite.</summary>
    public required SdpDirection Direction { get; init; }

    /// <summary>Feedback both sides agreed on (the endpoint's offer or answer listed it, and we support it).</summary>
    public required SdpVideoFeedback Feedback { get; init; }

    /// <summary>The endpoint's a=imageattr recv maximum (RFC 6236), if it gave one.</summary>
    public int? MaxWidth { get; init; }

    public int? MaxHeight { get; init; }

    /// <summary>The endpoint's max-fs (RFC 7741 §6.1): the largest frame it decodes, in macroblocks.</summary>
    public int? MaxMacroblocks { get; init; }

    /// <summary>The endpoint's max-fr.</summary>
    public int? MaxFrameRate { get; init; }

    /// <summary>What the endpoint wants to receive at most, kbit/s (its b=TIAS, else b=AS: RFC 3264 §5.8).</summary>
    public int? MaxBitrateKbps { get; init; }
}
