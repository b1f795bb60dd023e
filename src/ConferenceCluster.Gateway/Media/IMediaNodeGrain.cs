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

/// <summary>
/// The media of conferences on one silo (key = silo name): RTP legs on the silo's media workers, mixed per
/// conference. The signalling node asks the media node the conference grain chose (R28).
/// </summary>
public interface IMediaNodeGrain : IGrainWithStringKey
{
    Task<MediaLegAddress> AddLeg(MediaLegRequest request);

    /// <summary>The endpoint moved its media (re-INVITE with a new address).</summary>
    Task UpdateRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort);

    Task<bool> RemoveLeg(string participantId);

    /// <summary>Leaves the participant's voice out of the mix (mute, R-MUTE) or puts it back; it hears the conference either way.</summary>
    Task<bool> SetMuted(string participantId, bool muted);

    Task<MediaLegStatistics?> GetLegStatistics(string participantId);
}
