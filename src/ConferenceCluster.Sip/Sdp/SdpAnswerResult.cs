namespace ConferenceCluster.Sip.Sdp;

/// <summary>Why no answer could be made; each maps to a SIP response the caller sends.</summary>
public enum SdpNegotiationFailure
{
    None,
    /// <summary>The offer has no usable audio stream (RFC 3264 6; answer 488).</summary>
    NoAudioStream,
    /// <summary>Audio is offered but with none of our codecs (answer 488 Not Acceptable Here).</summary>
    NoCommonCodec,
    /// <summary>The audio stream has no c= at media or session level (RFC 4566 5.7; answer 488).</summary>
    MissingConnection,
    /// <summary>An answer whose m= lines do not match the offer's (RFC 3264 6).</summary>
    AnswerMismatch,
}

/// <summary>What was agreed for the audio stream: enough for the media worker to start.</summary>
public sealed record NegotiatedAudio
{
    /// <summary>Index of the accepted m= line in offer and answer.</summary>
    public required int MediaIndex { get; init; }
    public required AudioCodec Codec { get; init; }
    /// <summary>The payload type from the offer; we send and expect this number.</summary>
    public required int PayloadType { get; init; }
    public int? TelephoneEventPayloadType { get; init; }
    public int TelephoneEventClockRate { get; init; }
    public required string RemoteAddress { get; init; }
    public required int RemoteRtpPort { get; init; }
    /// <summary>From a=rtcp (RFC 3605), else RTP port + 1 (RFC 3550 11).</summary>
    public required int RemoteRtcpPort { get; init; }
    /// <summary>Our direction as written in the answer.</summary>
    public required SdpDirection Direction { get; init; }
    public int? RemotePtime { get; init; }
    /// <summary>The offer's fmtp for the chosen payload type (e.g. Opus stereo, maxplaybackrate).</summary>
    public string? RemoteFormatParameters { get; init; }
    /// <summary>The agreed RFC 8285 id of the RFC 6464 audio level extension, or null (give it to the media leg's options).</summary>
    public int? AudioLevelExtensionId { get; init; }
}

/// <summary>
/// An SDP answer (one we made, or one we received to our offer) and what it agreed, or why there is none.
/// </summary>
public sealed class SdpAnswerResult
{
    private SdpAnswerResult(SdpSessionDescription? answer, NegotiatedAudio? audio, SdpNegotiationFailure failure, string? detail)
    {
        Answer = answer;
        Audio = audio;
        Failure = failure;
        FailureDetail = detail;
    }

    public bool IsSuccess => Failure == SdpNegotiationFailure.None;

    public SdpSessionDescription? Answer { get; }

    public NegotiatedAudio? Audio { get; }

    public SdpNegotiationFailure Failure { get; }

    public string? FailureDetail { get; }

    /// <summary>
    /// The SIP status to refuse an offer with: 488 Not Acceptable Here (RFC 3261 21.4.26), or 0 on
    /// success. For a failed answer to our own offer, the session is ended instead (BYE).
    /// </summary>
    public int SipStatusCode => IsSuccess ? 0 : 488;

    internal static SdpAnswerResult Success(SdpSessionDescription answer, NegotiatedAudio audio) =>
        new(answer, audio, SdpNegotiationFailure.None, null);

    internal static SdpAnswerResult Failed(SdpNegotiationFailure failure, string detail) => new(null, null, failure, detail);
}
