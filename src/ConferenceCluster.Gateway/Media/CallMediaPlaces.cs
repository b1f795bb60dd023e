using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// Where one call's media lives: its leg on a media node and, through a proxying edge, its relay there. The SIP gateway
/// and the client API put a call's media in place and take it away the same way.
/// </summary>
public static class CallMediaPlaces
{
    /// <summary>
    /// Removes the call's leg and relay from the nodes that are still up (a failed node's media went with it), each on
    /// its own so the relay goes even when the media node it fed is the one that failed. Never throws: what could not be
    /// removed is logged and goes with its node.
    /// </summary>
    public static async Task RemoveAsync(IGrainFactory grains, ClusterNodes nodes, string participantId, string? mediaNode, string? proxyNode, ILogger logger)
    {
        if (mediaNode is not null && nodes.IsActive(mediaNode))
            await TryAsync(() => grains.GetGrain<IMediaNodeGrain>(mediaNode).RemoveLeg(participantId), participantId, mediaNode, "leg", logger).ConfigureAwait(false);
        if (proxyNode is not null && nodes.IsActive(proxyNode))
            await TryAsync(() => grains.GetGrain<IMediaNodeGrain>(proxyNode).RemoveRelay(participantId), participantId, proxyNode, "relay", logger).ConfigureAwait(false);
    }

    /// <summary>What the call's leg measured, for its participant history (null when the node has no such leg or is gone).</summary>
    public static async Task<CallQuality?> QualityAsync(IGrainFactory grains, ClusterNodes nodes, string participantId, string? mediaNode)
    {
        if (mediaNode is null || !nodes.IsActive(mediaNode)) return null;
        try
        {
            var leg = await grains.GetGrain<IMediaNodeGrain>(mediaNode).GetLegStatistics(participantId).ConfigureAwait(false);
            return leg is null ? null : new CallQuality(leg.PacketsReceived, leg.PacketsLost, leg.JitterMs);
        }
        catch (Exception)
        {
            return null; // the node went while we asked: nothing measured to keep
        }
    }

    internal static async Task TryAsync(Func<Task<bool>> remove, string participantId, string node, string what, ILogger logger)
    {
        try
        {
            await remove().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogInformation("Call {Participant}: its {What} on {Node} could not be removed ({Error})", participantId, what, node, ex.Message);
        }
    }
}
