using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Gateway.Media;

/// <summary>The endpoint's side of a media leg, as the signalling node negotiated it (RFC 3264).</summary>
/// <param name="Codec">"opus", "PCMU" or "PCMA".</param>
/// <param name="SignalingNode">Where DTMF received in the media (RFC 4733) is sent on.</param>
/// <param name="AudioLevelExtensionId">The RFC 6464 header extension id both sides agreed on (a=extmap), or null: the media node then decodes every frame to judge loudness.</param>
[GenerateSerializer, Immutable, Alias("cc.MediaLegRequest")]
public sealed record MediaLegRequest(
    string Conference,
    string ParticipantId,
    string Codec,
    int PayloadType,
    int? TelephoneEventPayloadType,
    int TelephoneEventClockRate,
    string RemoteAddress,
    int RemoteRtpPort,
    int RemoteRtcpPort,
    string SignalingNode,
    int? AudioLevelExtensionId = null);

/// <summary>Where the endpoint sends its media: the media node's address and the RTP port of this leg.</summary>
[GenerateSerializer, Immutable, Alias("cc.MediaLegAddress")]
public sealed record MediaLegAddress(string Address, int RtpPort, int RtcpPort);

/// <summary>What the media node measured on one leg.</summary>
[GenerateSerializer, Immutable, Alias("cc.MediaLegStatistics")]
public sealed record MediaLegStatistics(string ParticipantId, string Codec, long PacketsReceived, long PacketsLost, double JitterMs, string? RemoteAddress);

/// <summary>One end of a backplane on this node: what it received from the peer node (the peer→here direction).</summary>
[GenerateSerializer, Immutable, Alias("cc.BackplaneLegStatistics")]
public sealed record BackplaneLegStatistics(
    string Conference, string PeerNode, BackplaneKind Kind, string Codec, long PacketsReceived, long PacketsLost, double JitterMs, long PacketsSent);

/// <summary>Where a proxying node relays one call: the endpoint's address (from its SDP) and the conference leg's, once known.</summary>
[GenerateSerializer, Immutable, Alias("cc.MediaRelayRequest")]
public sealed record MediaRelayRequest(string Conference, string ParticipantId, string EndpointAddress, int EndpointRtpPort, int EndpointRtcpPort);

/// <summary>A relay's two faces on the proxying node: <paramref name="Outer"/> for the endpoint, <paramref name="Inner"/> for the transcoding node's leg.</summary>
[GenerateSerializer, Immutable, Alias("cc.MediaRelayAddress")]
public sealed record MediaRelayAddress(MediaLegAddress Outer, MediaLegAddress Inner);

/// <summary>What a proxying node relayed for one call, per direction (R59).</summary>
[GenerateSerializer, Immutable, Alias("cc.MediaRelayStatistics")]
public sealed record MediaRelayStatistics(
    string ParticipantId, long RtpFromEndpoint, long RtpToEndpoint, long RtcpFromEndpoint, long RtcpToEndpoint, long Dropped, string? EndpointAddress);

/// <summary>
/// The media of conferences on one silo (key = silo name): RTP legs on the silo's media workers, mixed per
/// conference. The signalling node asks the media node the conference grain chose (R28).
/// </summary>
[Alias("cc.IMediaNodeGrain")]
public interface IMediaNodeGrain : IGrainWithStringKey
{
    [Alias("AddLeg")]
    Task<MediaLegAddress> AddLeg(MediaLegRequest request);

    /// <summary>The endpoint moved its media (re-INVITE with a new address): the leg here, or the relay here when this node proxies the call.</summary>
    [Alias("UpdateRemote")]
    Task UpdateRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort);

    [Alias("RemoveLeg")]
    Task<bool> RemoveLeg(string participantId);

    /// <summary>Leaves the participant's voice out of the mix (mute, R-MUTE) or puts it back; it hears the conference either way.</summary>
    [Alias("SetMuted")]
    Task<bool> SetMuted(string participantId, bool muted);

    [Alias("GetLegStatistics")]
    Task<MediaLegStatistics?> GetLegStatistics(string participantId);

    /// <summary>
    /// Opens this node's end of a backplane to <paramref name="peerNode"/> (R34–R38), or returns it if it is open;
    /// <paramref name="remote"/> (the peer's end) may be null until the peer has opened its own.
    /// </summary>
    [Alias("OpenBackplane")]
    Task<MediaLegAddress> OpenBackplane(string conference, string peerNode, BackplaneKind kind, MediaLegAddress? remote);

    /// <summary>Points an open backplane at the peer's end; false when this node has no such backplane.</summary>
    [Alias("ConnectBackplane")]
    Task<bool> ConnectBackplane(string conference, string peerNode, MediaLegAddress remote);

    /// <summary>Closes a backplane; false when it was not open. The conference's mixer goes with its last leg or backplane.</summary>
    [Alias("CloseBackplane")]
    Task<bool> CloseBackplane(string conference, string peerNode);

    [Alias("GetBackplaneStatistics")]
    Task<IReadOnlyList<BackplaneLegStatistics>> GetBackplaneStatistics(string conference);

    /// <summary>A proxying node starts relaying one call (R43); its leg's address comes later with <see cref="ConnectRelay"/>.</summary>
    [Alias("AddRelay")]
    Task<MediaRelayAddress> AddRelay(MediaRelayRequest request);

    [Alias("ConnectRelay")]
    Task<bool> ConnectRelay(string participantId, MediaLegAddress leg);

    [Alias("RemoveRelay")]
    Task<bool> RemoveRelay(string participantId);

    [Alias("GetRelayStatistics")]
    Task<MediaRelayStatistics?> GetRelayStatistics(string participantId);

    /// <summary>
    /// A browser's audio leg (ICE-lite, DTLS-SRTP on one port) in the conference's mix here, from its SDP offer; an offer
    /// that cannot be answered comes back with <see cref="WebRtcLegAnswer.OfferError"/>. The leg is then a leg like any
    /// other: <see cref="RemoveLeg"/>, <see cref="SetMuted"/> and <see cref="GetLegStatistics"/> apply to it.
    /// </summary>
    [Alias("AddWebRtcLeg")]
    Task<WebRtcLegAnswer> AddWebRtcLeg(WebRtcLegRequest request);

    /// <summary>
    /// A proxying node starts relaying one browser call (R43): ICE, DTLS and SRTP pass through, nothing is terminated.
    /// <see cref="MediaRelayAddress.Outer"/> is the candidate for the browser; the leg is named later with <see cref="ConnectRelay"/>.
    /// <see cref="RemoveRelay"/> removes it.
    /// </summary>
    [Alias("AddWebRtcRelay")]
    Task<MediaRelayAddress> AddWebRtcRelay(string conference, string participantId);

    /// <summary>The call legs of the conference on this node whose voice the mixer takes as speaking now (the client API's <c>stage</c>).</summary>
    [Alias("GetSpeaking")]
    Task<IReadOnlyList<string>> GetSpeaking(string conference);

    // ---- video (issue 14) ----

    /// <summary>
    /// The conference's video as its grain decided it (layout, quality, the whole roster in join order): every node that
    /// hosts the conference composes its own viewers' pictures from it. A state older than the one here is ignored; null
    /// means the conference no longer hosts media here (its video goes once its legs and backplanes are gone).
    /// </summary>
    [Alias("SetVideoLayout")]
    Task SetVideoLayout(string conference, ConferenceVideoState? state);

    /// <summary>
    /// A participant's video leg beside its audio leg here (add the audio leg first: its voice drives voice switching).
    /// Needs the conference's video state (<see cref="SetVideoLayout"/>); refused with <see cref="InvalidOperationException"/> without it.
    /// <see cref="RemoveLeg"/> removes it with the audio leg.
    /// </summary>
    [Alias("AddVideoLeg")]
    Task<MediaLegAddress> AddVideoLeg(VideoLegRequest request);

    /// <summary>The endpoint moved its video (re-INVITE): the video leg here, or the video relay here when this node proxies the call.</summary>
    [Alias("UpdateVideoRemote")]
    Task UpdateVideoRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort);

    /// <summary>Drops only the video of a call (a re-INVITE without video); its audio leg stays. False when it had none here.</summary>
    [Alias("RemoveVideoLeg")]
    Task<bool> RemoveVideoLeg(string participantId);

    [Alias("GetVideoLegStatus")]
    Task<VideoLegStatus?> GetVideoLegStatus(string participantId);

    /// <summary>
    /// <see cref="OpenBackplane"/> with video: in a conference with video here (<see cref="SetVideoLayout"/>), the end
    /// also has a video leg, so every node can compose the conference's layout from everyone's video (issue 14 item 5).
    /// Idempotent, per part: an end opened before the video state arrived gets its video leg now.
    /// </summary>
    [Alias("OpenBackplaneEnd")]
    Task<BackplaneEndAddress> OpenBackplaneEnd(string conference, string peerNode, BackplaneKind kind);

    /// <summary>Points both parts of an open backplane end at the peer's; a video part with no peer video stays silent. False when not open.</summary>
    [Alias("ConnectBackplaneEnd")]
    Task<bool> ConnectBackplaneEnd(string conference, string peerNode, BackplaneEndAddress remote);

    /// <summary>A proxying node relays one call's video too (R43): a second relay for the video port pair, beside <see cref="AddRelay"/>'s.</summary>
    [Alias("AddVideoRelay")]
    Task<MediaRelayAddress> AddVideoRelay(MediaRelayRequest request);

    [Alias("ConnectVideoRelay")]
    Task<bool> ConnectVideoRelay(string participantId, MediaLegAddress leg);

    /// <summary>Drops only the video relay of a call; <see cref="RemoveRelay"/> removes both.</summary>
    [Alias("RemoveVideoRelay")]
    Task<bool> RemoveVideoRelay(string participantId);
}
