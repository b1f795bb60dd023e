using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Gateway.Media;

/// <summary>The endpoint's side of a media leg, as the signalling node negotiated it (RFC 3264).</summary>
/// <param name="Codec">"opus", "PCMU" or "PCMA".</param>
/// <param name="SignalingNode">Where DTMF received in the media (RFC 4733) is sent on.</param>
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
    string SignalingNode);

/// <summary>Where the endpoint sends its media: the media node's address and the RTP port of this leg.</summary>
public sealed record MediaLegAddress(string Address, int RtpPort, int RtcpPort);

/// <summary>What the media node measured on one leg.</summary>
public sealed record MediaLegStatistics(string ParticipantId, string Codec, long PacketsReceived, long PacketsLost, double JitterMs, string? RemoteAddress);

/// <summary>One end of a backplane on this node: what it received from the peer node (the peer→here direction).</summary>
public sealed record BackplaneLegStatistics(
    string Conference, string PeerNode, BackplaneKind Kind, string Codec, long PacketsReceived, long PacketsLost, double JitterMs, long PacketsSent);

/// <summary>Where a proxying node relays one call: the endpoint's address (from its SDP) and the conference leg's, once known.</summary>
public sealed record MediaRelayRequest(string Conference, string ParticipantId, string EndpointAddress, int EndpointRtpPort, int EndpointRtcpPort);

/// <summary>A relay's two faces on the proxying node: <paramref name="Outer"/> for the endpoint, <paramref name="Inner"/> for the transcoding node's leg.</summary>
public sealed record MediaRelayAddress(MediaLegAddress Outer, MediaLegAddress Inner);

/// <summary>What a proxying node relayed for one call, per direction (R59).</summary>
public sealed record MediaRelayStatistics(
    string ParticipantId, long RtpFromEndpoint, long RtpToEndpoint, long RtcpFromEndpoint, long RtcpToEndpoint, long Dropped, string? EndpointAddress);

/// <summary>
/// The media of conferences on one silo (key = silo name): RTP legs on the silo's media workers, mixed per
/// conference. The signalling node asks the media node the conference grain chose (R28).
/// </summary>
public interface IMediaNodeGrain : IGrainWithStringKey
{
    Task<MediaLegAddress> AddLeg(MediaLegRequest request);

    /// <summary>The endpoint moved its media (re-INVITE with a new address): the leg here, or the relay here when this node proxies the call.</summary>
    Task UpdateRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort);

    Task<bool> RemoveLeg(string participantId);

    /// <summary>Leaves the participant's voice out of the mix (mute, R-MUTE) or puts it back; it hears the conference either way.</summary>
    Task<bool> SetMuted(string participantId, bool muted);

    Task<MediaLegStatistics?> GetLegStatistics(string participantId);

    /// <summary>
    /// Opens this node's end of a backplane to <paramref name="peerNode"/> (R34–R38), or returns it if it is open;
    /// <paramref name="remote"/> (the peer's end) may be null until the peer has opened its own.
    /// </summary>
    Task<MediaLegAddress> OpenBackplane(string conference, string peerNode, BackplaneKind kind, MediaLegAddress? remote);

    /// <summary>Points an open backplane at the peer's end; false when this node has no such backplane.</summary>
    Task<bool> ConnectBackplane(string conference, string peerNode, MediaLegAddress remote);

    /// <summary>Closes a backplane; false when it was not open. The conference's mixer goes with its last leg or backplane.</summary>
    Task<bool> CloseBackplane(string conference, string peerNode);

    Task<IReadOnlyList<BackplaneLegStatistics>> GetBackplaneStatistics(string conference);

    /// <summary>A proxying node starts relaying one call (R43); its leg's address comes later with <see cref="ConnectRelay"/>.</summary>
    Task<MediaRelayAddress> AddRelay(MediaRelayRequest request);

    Task<bool> ConnectRelay(string participantId, MediaLegAddress leg);

    Task<bool> RemoveRelay(string participantId);

    Task<MediaRelayStatistics?> GetRelayStatistics(string participantId);
}
