namespace ConferenceCluster.Gateway.Media;

/// <summary>A browser's offer for its audio leg on a media node (the client API's <c>calls</c>).</summary>
/// <param name="Candidate">The address the answer's one candidate names instead of the leg's own: a proxying edge's outer relay port (R43).</param>
[GenerateSerializer, Immutable, Alias("cc.WebRtcLegRequest")]
public sealed record WebRtcLegRequest(string Conference, string ParticipantId, string OfferSdp, MediaLegAddress? Candidate = null);

/// <summary>
/// The media node's answer to a browser's offer: the SDP answer and where the leg listens (what a proxying edge relays to),
/// or, when the offer cannot be answered, why (<paramref name="OfferError"/> names the missing piece; nothing was bound).
/// </summary>
/// <param name="OfferErrorKind">The media layer's reason (<c>WebRtcOfferError</c>: NoAudio, NoFingerprint, NoSupportedCodec ...).</param>
[GenerateSerializer, Immutable, Alias("cc.WebRtcLegAnswer")]
public sealed record WebRtcLegAnswer(string? AnswerSdp, MediaLegAddress? Leg, string? Codec, string? OfferError = null, string? OfferErrorKind = null)
{
    public bool Accepted => AnswerSdp is not null;
}
