using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Gateway.Media;

/// <summary>One per silo, pinned to it: the grain face of the silo's <see cref="MediaNode"/>.</summary>
[SiloPinnedPlacement]
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class MediaNodeGrain(MediaNode media) : Grain, IMediaNodeGrain
{
    public Task<MediaLegAddress> AddLeg(MediaLegRequest request) => media.AddLegAsync(request);

    public Task UpdateRemote(string participantId, string remoteAddress, int remoteRtpPort, int remoteRtcpPort) =>
        media.UpdateRemoteAsync(participantId, remoteAddress, remoteRtpPort, remoteRtcpPort);

    public Task<bool> RemoveLeg(string participantId) => media.RemoveLegAsync(participantId);

    public Task<bool> SetMuted(string participantId, bool muted) => media.SetMutedAsync(participantId, muted);

    public Task<MediaLegStatistics?> GetLegStatistics(string participantId) => Task.FromResult(media.GetStatistics(participantId));
}
