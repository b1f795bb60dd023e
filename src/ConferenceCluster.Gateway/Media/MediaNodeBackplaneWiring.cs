using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Cluster;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Media;

/// <summary>
/// Carries a conference's backplane topology onto the media nodes (R34–R38): each backplane is an RTP leg in the
/// conference's mixer at both ends and, in a conference with video, a video leg beside it at both ends (issue 14 item 5;
/// the media node knows from the conference's video state, which the grain hands over before its backplanes). Two rounds of calls: first every old end closes while both ends of every new
/// backplane open (an end sends nothing until it knows its peer), then every new end is pointed at its peer. So a
/// re-elected intermediary's new path starts as soon as the old one is gone, and never runs next to it (a voice heard
/// twice).
/// </summary>
/// <remarks>
/// An end on a silo that membership no longer lists as active is skipped rather than called: its media went with it,
/// and a call there would only wait out <see cref="GatewayOptions.BackplaneCallTimeout"/> while the surviving nodes
/// wait for their new backplanes.
/// </remarks>
public sealed class MediaNodeBackplaneWiring(
    IGrainFactory grains, ClusterNodes nodes, GatewayOptions options, ILogger<MediaNodeBackplaneWiring> logger) : IBackplaneWiring
{
    public async Task ApplyAsync(string conference, BackplaneChanges changes)
    {
        var opening = changes.ToCreate.Where(b => IsActive(b.NodeA) && IsActive(b.NodeB)).ToList();
        foreach (var skipped in changes.ToCreate.Except(opening))
            logger.LogInformation("Conference {Conference}: {Backplane} not opened, an end is not active", conference, skipped);
        var closed = changes.ToRemove.SelectMany(b => new[] { CloseAsync(conference, b.NodeA, b.NodeB), CloseAsync(conference, b.NodeB, b.NodeA) });
        var opened = opening.Select(b => Task.WhenAll(OpenAsync(conference, b.NodeA, b.NodeB, b.Kind), OpenAsync(conference, b.NodeB, b.NodeA, b.Kind))).ToList();
        await Task.WhenAll(closed).ConfigureAwait(false);
        var ends = await Task.WhenAll(opened).ConfigureAwait(false);
        await Task.WhenAll(opening.Zip(ends).Select(o => ConnectAsync(conference, o.First, o.Second[0], o.Second[1]))).ConfigureAwait(false);
    }

    private bool IsActive(string node) => nodes.IsActive(node);

    private async Task<BackplaneEndAddress?> OpenAsync(string conference, string node, string peer, BackplaneKind kind)
    {
        try
        {
            return await grains.GetGrain<IMediaNodeGrain>(node).OpenBackplaneEnd(conference, peer, kind).WaitAsync(options.BackplaneCallTimeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A node that died is dropped by the conference when membership says so; its peers stay up meanwhile.
            logger.LogWarning(ex, "Conference {Conference}: {Node} could not open its end of the backplane to {Peer}", conference, node, peer);
            return null;
        }
    }

    private async Task ConnectAsync(string conference, Backplane backplane, BackplaneEndAddress? endA, BackplaneEndAddress? endB)
    {
        if (endA is null || endB is null) return;
        try
        {
            await Task.WhenAll(
                grains.GetGrain<IMediaNodeGrain>(backplane.NodeA).ConnectBackplaneEnd(conference, backplane.NodeB, endB).WaitAsync(options.BackplaneCallTimeout),
                grains.GetGrain<IMediaNodeGrain>(backplane.NodeB).ConnectBackplaneEnd(conference, backplane.NodeA, endA).WaitAsync(options.BackplaneCallTimeout))
                .ConfigureAwait(false);
            logger.LogInformation("Conference {Conference}: {Backplane} carries media ({A} port {PortA}, {B} port {PortB}){Video}",
                conference, backplane, backplane.NodeA, endA.Audio.RtpPort, backplane.NodeB, endB.Audio.RtpPort,
                endA.Video is { } videoA && endB.Video is { } videoB ? $", video on ports {videoA.RtpPort} and {videoB.RtpPort}" : "");
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Conference {Conference}: could not connect {Backplane}", conference, backplane);
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
