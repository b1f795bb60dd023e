using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Gateway.Media;

/// <summary>One per silo, pinned to it: the grain face of the silo's <see cref="MediaNode"/> and <see cref="MediaRelays"/>.</summary>
[SiloPinnedPlacement]
[CollectionAgeLimit(AlwaysActive = true)]
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
}
