using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Layouts;
using Orleans.Concurrency;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// One per silo, pinned to it: the grain face of the silo's <see cref="MediaNode"/> and <see cref="MediaRelays"/>.
/// Reentrant: both are thread-safe, and a leg's add waits for a media worker's tick (up to 20 ms), so one request at a
/// time would cap a node at about fifty new legs a second (issue 12 item 10, docs/benchmarks.md "The join path").
/// </summary>
[SiloNamePlacement]
[KeepAlive]
[Reentrant]
public sealed class MediaNodeGrain(MediaNode media, MediaRelays relays) : Grain, IMediaNodeGrain
{
    public Task<MediaLegAddress> AddLeg(MediaLegRequest request) => media.AddLegAsync(request);

    public Task UpdateRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort) =>
        relays.UpdateEndpoint(participantId, remoteAddress, remoteRtpPort, remoteRtcpPort)
            ? Task.CompletedTask
            : media.UpdateRemoteAsync(participantId, remoteAddress, remoteRtpPort, remoteRtcpPort);

    public Task<bool> RemoveLeg(string participantId) => media.RemoveLegAsync(participantId);

    public Task<bool> SetMuted(string participantId, bool muted) => media.SetMutedAsync(participantId, muted);

    public Task<MediaLegStatistics?> GetLegStatistics(string participantId) => Task.FromResult(media.GetStatistics(participantId));

    public Task<MediaLegAddress> OpenBackplane(string conference, string peerNode, BackplaneKind kind, MediaLegAddress? remote) =>
        media.OpenBackplaneAsync(conference, peerNode, kind, remote);

    public Task<bool> ConnectBackplane(string conference, string peerNode, MediaLegAddress remote) =>
        media.ConnectBackplaneAsync(conference, peerNode, remote);

    public Task<bool> CloseBackplane(string conference, string peerNode) => media.CloseBackplaneAsync(conference, peerNode);

    public Task<IReadOnlyList<BackplaneLegStatistics>> GetBackplaneStatistics(string conference) =>
        Task.FromResult(media.GetBackplaneStatistics(conference));

    public Task<MediaRelayAddress> AddRelay(MediaRelayRequest request) => Task.FromResult(relays.Add(request));

    public Task<bool> ConnectRelay(string participantId, MediaLegAddress leg) => Task.FromResult(relays.Connect(participantId, leg));

    public Task<bool> RemoveRelay(string participantId) => relays.RemoveAsync(participantId);

    public Task<MediaRelayStatistics?> GetRelayStatistics(string participantId) => Task.FromResult(relays.GetStatistics(participantId));

    public Task<WebRtcLegAnswer> AddWebRtcLeg(WebRtcLegRequest request) => media.AddWebRtcLegAsync(request);

    public Task<MediaRelayAddress> AddWebRtcRelay(string conference, string participantId) => Task.FromResult(relays.AddWebRtc(conference, participantId));

    public Task<IReadOnlyList<string>> GetSpeaking(string conference) => media.GetSpeakingAsync(conference);

    public Task SetVideoLayout(string conference, ConferenceVideoState? state) => media.SetVideoLayoutAsync(conference, state);

    public Task<MediaLegAddress> AddVideoLeg(VideoLegRequest request) => media.AddVideoLegAsync(request);

    public Task UpdateVideoRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort) =>
        relays.UpdateVideoEndpoint(participantId, remoteAddress, remoteRtpPort, remoteRtcpPort)
            ? Task.CompletedTask
            : media.UpdateVideoRemoteAsync(participantId, remoteAddress, remoteRtpPort, remoteRtcpPort);

    public Task<bool> RemoveVideoLeg(string participantId) => media.RemoveVideoLegAsync(participantId);

    public Task<VideoLegStatus?> GetVideoLegStatus(string participantId) => Task.FromResult(media.GetVideoStatus(participantId));

    public Task<BackplaneEndAddress> OpenBackplaneEnd(string conference, string peerNode, BackplaneKind kind) =>
        media.OpenBackplaneEndAsync(conference, peerNode, kind);

    public Task<bool> ConnectBackplaneEnd(string conference, string peerNode, BackplaneEndAddress remote) =>
        media.ConnectBackplaneEndAsync(conference, peerNode, remote);

    public Task<MediaRelayAddress> AddVideoRelay(MediaRelayRequest request) => Task.FromResult(relays.AddVideo(request));

    public Task<bool> ConnectVideoRelay(string participantId, MediaLegAddress leg) => Task.FromResult(relays.ConnectVideo(participantId, leg));

    public Task<bool> RemoveVideoRelay(string participantId) => relays.RemoveVideoAsync(participantId);
}
