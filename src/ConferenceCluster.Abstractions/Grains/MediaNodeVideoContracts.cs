namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// A participant's video leg as the signalling node negotiated it (SDP m=video, VP8): where the endpoint's video is,
/// which way it flows, the RTCP feedback agreed, and what the endpoint can receive (imageattr, max-fs, max-fr, bandwidth
/// already lowered to the conference's outbound limit, R-QoS-4). The leg goes beside the participant's audio leg on the
/// same media node, whose voice drives voice switching.
/// </summary>
/// <param name="Sends">The endpoint sends us video (its SDP direction allows it).</param>
/// <param name="Receives">The endpoint receives our composite.</param>
/// <param name="FeedbackFlags">The agreed a=rtcp-fb kinds as flags: 1 nack, 2 nack pli, 4 ccm fir, 8 goog-remb.</param>
[GenerateSerializer, Immutable, Alias("cc.VideoLegRequest")]
public sealed record VideoLegRequest(
    string Conference,
    string ParticipantId,
    int PayloadType,
    string RemoteAddress,
    int RemoteRtpPort,
    int RemoteRtcpPort,
    bool Sends,
    bool Receives,
    int FeedbackFlags,
    int? MaxWidth = null,
    int? MaxHeight = null,
    int? MaxMacroblocks = null,
    int? MaxFrameRate = null,
    int? MaxBitrateKbps = null);

/// <summary>This node's end of a backplane: its audio leg and, in a conference with video, its video leg (a port pair of its own).</summary>
[GenerateSerializer, Immutable, Alias("cc.BackplaneEndAddress")]
public sealed record BackplaneEndAddress(MediaLegAddress Audio, MediaLegAddress? Video);

/// <summary>What the media node measured on one participant's video leg.</summary>
/// <param name="Resolution">The composite the participant receives, e.g. "768×448".</param>
[GenerateSerializer, Immutable, Alias("cc.VideoLegStatus")]
public sealed record VideoLegStatus(string ParticipantId, long PacketsReceived, long FramesDecoded, long PacketsSent, long FramesSent, string Resolution);
