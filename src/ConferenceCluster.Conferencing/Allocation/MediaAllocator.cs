using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Allocation;

/// <summary>
/// Chooses the nodes that carry a new participant's media (seed L2139–2233; rules R16–R33, R43–R45).
/// A pure function of (cluster snapshot, this conference's placement, request): it reads no clock and changes nothing.
/// </summary>
/// <remarks>
/// A ConferenceGrain uses it like this, all in one turn:
/// <code>
/// var decision = MediaAllocator.Allocate(snapshot, placement, request);
/// if (decision is MediaAllocated allocated)
/// {
///     // NodeGrain.TryReserve(conference, units) for each allocated.Reservations; if one refuses (its load moved on
///     // since the snapshot), release the others, refresh the snapshot and allocate again.
///     var change = placement.Admit(allocated);   // new placement, backplanes to create, intermediary changes
/// }
/// </code>
/// Tie-breaks (the seed names none, Q3): "least loaded" is read as "most available capacity" in absolute units
/// (Q2; L2143, L2233, L2261 all say "most available capacity"); equal capacity goes to the ordinally smaller node name.
/// </remarks>
public static class MediaAllocator
{
    /// <summary>"no more than three transcoding nodes per location will handle the media for a particular conference instance" (L716, L2141).</summary>
    public const int MaxTranscodingNodesPerLocationPerConference = 3;

    public static MediaAllocationDecision Allocate(ClusterSnapshot cluster, ConferencePlacement placement, MediaAllocationRequest request)
    {
        if (placement.Participants.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"Participant \"{request.ParticipantId}\" already has media in conference \"{placement.ConferenceName}\".");

        if (!cluster.Nodes.TryGetValue(request.SignalingNode, out var signaling))
            return new MediaRejected(request.ParticipantId, MediaRejectionReason.SignalingNodeUnknown,
                $"Signalling node \"{request.SignalingNode}\" is not in the cluster.");
        if (signaling.Node.MaintenanceMode)
            return new MediaRejected(request.ParticipantId, MediaRejectionReason.SignalingNodeInMaintenance,
                $"Signalling node \"{signaling.Name}\" is in maintenance mode (L11666).");

        var policy = placement.MediaPolicy;
        var transcodingCost = MediaCosts.OnTranscodingNode(request.Media, policy);
        var reservation = MediaCosts.BackplaneReservation(policy, cluster.SingleTranscodingNodeDeployment);

        // R43/R44: a call signalled on a proxying edge node gets the least-loaded proxying node of the signalling
        // location for its media (possibly another node than the signalling one); proxies never overflow elsewhere.
        NodeStatus? proxy = null;
        var proxyingCost = CapacityUnits.Zero;
        if (signaling.Role == NodeRole.Proxying)
        {
            proxyingCost = MediaCosts.OnProxyingNode(request.Media, policy);
            proxy = MostAvailable(cluster.NodesIn(signaling.Location).Where(n => n.Role == NodeRole.Proxying && n.CanTake(proxyingCost)));
            if (proxy is null)
                return new MediaRejected(request.ParticipantId, MediaRejectionReason.CapacityExceeded,
                    $"No proxying edge node in \"{signaling.Location}\" has {proxyingCost} free; proxying has no overflow (R44, L1582).");
        }

        // R19/R20/R26/R45: the candidate locations come from the signalling location only, never transitively.
        var candidates = request.PolicyMediaLocations is { } fromPolicy
            ? fromPolicy.Distinct(StringComparer.Ordinal).Select(l => (l, MediaLocationRole.PolicyLocation)).ToList()
            : cluster.Location(signaling.Location).MediaLocationChain();

        foreach (var (location, role) in candidates)
        {
            if (ChooseTranscodingNode(cluster, placement, location, transcodingCost, reservation) is not { } choice) continue;
            var (node, startsHosting) = choice;

            var nodeCost = startsHosting ? transcodingCost + reservation : transcodingCost;
            var reservations = new List<CapacityReservation> { new(node.Name, nodeCost) };
            if (proxy is not null) reservations.Add(new(proxy.Name, proxyingCost));
            reservations.Sort((a, b) => string.CompareOrdinal(a.NodeName, b.NodeName));
            return new MediaAllocated(
                request.ParticipantId,
                signaling.Name,
                proxy?.Name,
                node.Name,
                location,
                role,
                startsHosting,
                transcodingCost,
                startsHosting ? reservation : CapacityUnits.Zero,
                proxyingCost,
                reservations);
        }

        return new MediaRejected(request.ParticipantId, MediaRejectionReason.CapacityExceeded,
            $"No transcoding capacity for {transcodingCost} in {string.Join(", ", candidates.Select(c => $"\"{c.Item1}\""))} (R25, L2197).");
    }

    /// <summary>
    /// R21 inside one candidate location: a node already processing this conference's media with spare capacity
    /// (L2188); otherwise the least loaded transcoding node, while the conference has fewer than three media nodes
    /// in the location (L2189). Proxying nodes in the location give no transcoding resource (L2193).
    /// </summary>
    private static (NodeStatus Node, bool StartsHosting)? ChooseTranscodingNode(
        ClusterSnapshot cluster, ConferencePlacement placement, string location, CapacityUnits cost, CapacityUnits reservation)
    {
        var transcodingNodes = cluster.NodesIn(location).Where(n => n.Role == NodeRole.Transcoding).ToList();

        var hosting = MostAvailable(transcodingNodes.Where(n => placement.IsHosting(n.Name) && n.CanTake(cost)));
        if (hosting is not null) return (hosting, false);

        // Count from the placement, not the snapshot: a hosting node that dropped out of the snapshot still holds its
        // place until the grain removes it (ConferencePlacement.DropNode).
        if (placement.HostingNodesIn(location).Count() >= MaxTranscodingNodesPerLocationPerConference) return null;

        var fresh = MostAvailable(transcodingNodes.Where(n => !placement.IsHosting(n.Name) && n.CanTake(cost + reservation)));
        return fresh is null ? null : (fresh, true);
    }

    private static NodeStatus? MostAvailable(IEnumerable<NodeStatus> nodes) =>
        nodes.OrderByDescending(n => n.Available).ThenBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault();
}
