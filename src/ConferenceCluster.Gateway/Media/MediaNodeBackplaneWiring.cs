using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// Carries a conference's backplane topology onto the media nodes (R34–R38): each backplane is an RTP leg in the
/// conference's mixer at both ends, opened on one end, then on the other pointing back, then the first pointed at the
/// second. Old backplanes are closed before new ones open, so a re-elected intermediary never leaves two paths
/// between two nodes at once (a voice heard twice).
/// </summary>
/// <remarks>
/// An end on a silo that membership no longer lists as active is skipped rather than called: its media went with it,
/// and a call there would only wait out <see cref="GatewayOptions.BackplaneCallTimeout"/> while the surviving nodes
/// wait for their new backplanes.
/// </remarks>
public sealed class MediaNodeBackplaneWiring(
    IGrainFactory grains, IClusterMembershipView membership, GatewayOptions options, ILogger<MediaNodeBackplaneWiring> logger) : IBackplaneWiring
{
    public async Task ApplyAsync(string conference, BackplaneChanges changes)
    {
        await Task.WhenAll(changes.ToRemove.SelectMany(b => new[] { CloseAsync(conference, b.NodeA, b.NodeB), CloseAsync(conference, b.NodeB, b.NodeA) }))
            .ConfigureAwait(false);
        await Task.WhenAll(changes.ToCreate.Select(b => OpenAsync(conference, b))).ConfigureAwait(false);
    }

    private bool IsActive(string node) => membership.Current.FindByName(node) is not null;

    private async Task OpenAsync(string conference, Backplane backplane)
    {
        if (!IsActive(backplane.NodeA) || !IsActive(backplane.NodeB))
        {
            logger.LogInformation("Conference {Conference}: {Backplane} not opened, an end is not active", conference, backplane);
            return;
        }
        try
        {
            var a = grains.GetGrain<IMediaNodeGrain>(backplane.NodeA);
            var b = grains.GetGrain<IMediaNodeGrain>(backplane.NodeB);
            var endA = await a.OpenBackplane(conference, backplane.NodeB, backplane.Kind, null).WaitAsync(options.BackplaneCallTimeout).ConfigureAwait(false);
            var endB = await b.OpenBackplane(conference, backplane.NodeA, backplane.Kind, endA).WaitAsync(options.BackplaneCallTimeout).ConfigureAwait(false);
            await a.ConnectBackplane(conference, backplane.NodeB, endB).WaitAsync(options.BackplaneCallTimeout).ConfigureAwait(false);
            logger.LogInformation("Conference {Conference}: {Backplane} carries media ({A} port {PortA}, {B} port {PortB})",
                conference, backplane, backplane.NodeA, endA.RtpPort, backplane.NodeB, endB.RtpPort);
        }
        catch (Exception ex)
        {
            // A node that died is dropped by the conference when membership says so; its peers stay up meanwhile.
            logger.LogWarning(ex, "Conference {Conference}: could not open {Backplane}", conference, backplane);
        }
    }

    private async Task CloseAsync(string conference, string node, string peer)
    {
        if (!IsActive(node)) return;
        try
        {
            await grains.GetGrain<IMediaNodeGrain>(node).CloseBackplane(conference, peer).WaitAsync(options.BackplaneCallTimeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogInformation("Conference {Conference}: could not close the backplane of {Node} to {Peer} ({Error})", conference, node, peer, ex.Message);
        }
    }
}
