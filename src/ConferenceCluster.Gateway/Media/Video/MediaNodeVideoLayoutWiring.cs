using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Layouts;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media.Video;

/// <summary>
/// Hands a conference's video state to its media nodes through their silo-pinned <see cref="IMediaNodeGrain"/>s, all at
/// once, each call bounded by <see cref="GatewayOptions.BackplaneCallTimeout"/> as the backplane wiring's are. A node that
/// membership no longer lists as active is skipped (its media went with it); one that fails is logged, and the
/// conference goes on (it drops the node when membership declares it dead).
/// </summary>
public sealed class MediaNodeVideoLayoutWiring(
    IGrainFactory grains, ClusterNodes nodes, GatewayOptions options, ILogger<MediaNodeVideoLayoutWiring> logger) : IVideoLayoutWiring
{
    public Task ApplyAsync(string conference, ConferenceVideoState? state, IReadOnlyCollection<string> mediaNodes) =>
        Task.WhenAll(mediaNodes.Where(nodes.IsActive).Select(node => ApplyAsync(conference, state, node)));

    private async Task ApplyAsync(string conference, ConferenceVideoState? state, string node)
    {
        try
        {
            await grains.GetGrain<IMediaNodeGrain>(node).SetVideoLayout(conference, state).WaitAsync(options.BackplaneCallTimeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Conference {Conference}: {Node} did not take its video state {Version}", conference, node, state?.Version);
        }
    }
}
