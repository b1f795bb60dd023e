using Orleans;
using Orleans.Concurrency;
using System.Collections.Immutable;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Allocation;

/// <summary>A transcoding node that processes media for the conference, and what the conference holds on it.</summary>
/// <param name="HostingSequence">When it started hosting, relative to the conference's other media nodes (elects intermediaries).</param>
/// <param name="BackplaneReservation">Taken when the node started hosting (R54, Q7) and returned when it stops.</param>
/// <param name="CallLoad">The sum of the transcoding costs of the participants whose media it processes.</param>
[GenerateSerializer, Immutable, Alias("cc.HostingNode")]
public sealed record HostingNode(
    string NodeName,
    string Location,
    long HostingSequence,
    CapacityUnits BackplaneReservation,
    CapacityUnits CallLoad,
    int Participants)
{
    public CapacityUnits Held => BackplaneReservation + CallLoad;
}

/// <summary>Where one participant's signalling and media are.</summary>
[GenerateSerializer, Immutable, Alias("cc.ParticipantPlacement")]
public sealed record ParticipantPlacement(
    string ParticipantId,
    string SignalingNode,
    string? MediaProxyNode,
    string TranscodingNode,
    string TranscodingLocation,
    CapacityUnits TranscodingCost,
    CapacityUnits ProxyingCost);

/// <summary>The result of a change to a placement: the new placement and everything the grain has to act on.</summary>
/// <param name="Reserved">Capacity taken on nodes (the decision's reservations, already made by the grain).</param>
/// <param name="Released">Capacity the grain must give back to the nodes' ledgers.</param>
/// <param name="DroppedParticipants">Participants whose media went with a failed node (R85); the grain places those it can again.</param>
public sealed record PlacementChange(
    ConferencePlacement Before,
    ConferencePlacement After,
    IReadOnlyList<CapacityReservation> Reserved,
    IReadOnlyList<CapacityReservation> Released,
    IReadOnlyList<string> NodesStartedHosting,
    IReadOnlyList<string> NodesStoppedHosting,
    IReadOnlyList<string> DroppedParticipants,
    BackplaneChanges Backplanes);

/// <summary>
/// The media placement of one conference instance: which transcoding nodes host it, what it holds on each node,
/// where each participant's media is, and (derived) its backplanes. Immutable; a ConferenceGrain keeps the current
/// value and replaces it with <see cref="PlacementChange.After"/>.
/// </summary>
public sealed class ConferencePlacement
{
    private readonly ImmutableSortedDictionary<string, HostingNode> _hostingNodes;
    private readonly ImmutableSortedDictionary<string, ParticipantPlacement> _participants;
    private readonly long _nextHostingSequence;
    private BackplaneTopology? _backplanes;

    private ConferencePlacement(
        string conferenceName,
        ConferenceMediaPolicy mediaPolicy,
        ImmutableSortedDictionary<string, HostingNode> hostingNodes,
        ImmutableSortedDictionary<string, ParticipantPlacement> participants,
        long nextHostingSequence)
    {
        ConferenceName = conferenceName;
        MediaPolicy = mediaPolicy;
        _hostingNodes = hostingNodes;
        _participants = participants;
        _nextHostingSequence = nextHostingSequence;
    }

    /// <summary>A conference instance that has no participants yet (it takes no resources, R5, L949).</summary>
    public static ConferencePlacement Start(string conferenceName, ConferenceMediaPolicy mediaPolicy) =>
        new(conferenceName, mediaPolicy,
            ImmutableSortedDictionary.Create<string, HostingNode>(StringComparer.Ordinal),
            ImmutableSortedDictionary.Create<string, ParticipantPlacement>(StringComparer.Ordinal),
            0);

    /// <summary>
    /// Rebuilds a placement from persisted state (a ConferenceGrain that reactivates). Checks that the parts agree, so
    /// a corrupt record fails here rather than in a later capacity release.
    /// </summary>
    public static ConferencePlacement Restore(
        string conferenceName, ConferenceMediaPolicy mediaPolicy, IEnumerable<HostingNode> hostingNodes, IEnumerable<ParticipantPlacement> participants)
    {
        var hosts = hostingNodes.ToImmutableSortedDictionary(h => h.NodeName, h => h, StringComparer.Ordinal);
        var placed = participants.ToImmutableSortedDictionary(p => p.ParticipantId, p => p, StringComparer.Ordinal);
        foreach (var host in hosts.Values)
        {
            var carried = placed.Values.Where(p => p.TranscodingNode == host.NodeName).ToList();
            var load = carried.Aggregate(CapacityUnits.Zero, (sum, p) => sum + p.TranscodingCost);
            if (carried.Count == 0 || carried.Count != host.Participants || load != host.CallLoad)
                throw new InvalidOperationException($"Hosting node \"{host.NodeName}\" of \"{conferenceName}\" does not match its participants.");
        }
        if (placed.Values.FirstOrDefault(p => !hosts.ContainsKey(p.TranscodingNode)) is { } orphan)
            throw new InvalidOperationException($"Participant \"{orphan.ParticipantId}\" of \"{conferenceName}\" is on \"{orphan.TranscodingNode}\", which does not host it.");
        var nextSequence = hosts.IsEmpty ? 0 : hosts.Values.Max(h => h.HostingSequence) + 1;
        return new ConferencePlacement(conferenceName, mediaPolicy, hosts, placed, nextSequence);
    }

    public string ConferenceName { get; }

    public ConferenceMediaPolicy MediaPolicy { get; }

    /// <summary>The conference's media nodes by name (at most three per location, R30).</summary>
    public IReadOnlyDictionary<string, HostingNode> HostingNodes => _hostingNodes;

    public IReadOnlyDictionary<string, ParticipantPlacement> Participants => _participants;

    public bool IsEmpty => Participants.Count == 0;

    public BackplaneTopology Backplanes => _backplanes ??=
        BackplaneTopology.For(HostingNodes.Values.Select(h => new MediaHost(h.NodeName, h.Location, h.HostingSequence)));

    public bool IsHosting(string node) => HostingNodes.ContainsKey(node);

    public IEnumerable<HostingNode> HostingNodesIn(string location) => HostingNodes.Values.Where(h => h.Location == location);

    /// <summary>
    /// Capacity this conference holds on every node it uses (transcoding and proxying), for reconciling with the
    /// NodeGrains' ledgers after a grain reactivates.
    /// </summary>
    public IReadOnlyDictionary<string, CapacityUnits> CapacityHeldPerNode()
    {
        var held = HostingNodes.Values.ToDictionary(h => h.NodeName, h => h.Held, StringComparer.Ordinal);
        foreach (var p in Participants.Values.Where(p => p.MediaProxyNode is not null))
            held[p.MediaProxyNode!] = held.GetValueOrDefault(p.MediaProxyNode!) + p.ProxyingCost;
        return held;
    }

    /// <summary>Records an allocation the grain has reserved capacity for.</summary>
    /// <exception cref="InvalidOperationException">The decision was made against another placement.</exception>
    public PlacementChange Admit(MediaAllocated allocation)
    {
        if (Participants.ContainsKey(allocation.ParticipantId))
            throw new InvalidOperationException($"Participant \"{allocation.ParticipantId}\" is already placed.");
        if (allocation.StartsHosting == IsHosting(allocation.TranscodingNode))
            throw new InvalidOperationException(
                $"Stale decision: it says \"{allocation.TranscodingNode}\" {(allocation.StartsHosting ? "starts" : "already")} hosting \"{ConferenceName}\", the placement says otherwise.");

        var hosting = HostingNodes.GetValueOrDefault(allocation.TranscodingNode)
                      ?? new HostingNode(allocation.TranscodingNode, allocation.TranscodingLocation, _nextHostingSequence,
                          allocation.BackplaneReservation, CapacityUnits.Zero, 0);
        hosting = hosting with { CallLoad = hosting.CallLoad + allocation.TranscodingCost, Participants = hosting.Participants + 1 };

        var participant = new ParticipantPlacement(allocation.ParticipantId, allocation.SignalingNode, allocation.MediaProxyNode,
            allocation.TranscodingNode, allocation.TranscodingLocation, allocation.TranscodingCost, allocation.ProxyingCost);

        var after = new ConferencePlacement(ConferenceName, MediaPolicy,
            _hostingNodes.SetItem(hosting.NodeName, hosting),
            _participants.Add(participant.ParticipantId, participant),
            allocation.StartsHosting ? _nextHostingSequence + 1 : _nextHostingSequence);

        return new PlacementChange(this, after, allocation.Reservations, [],
            allocation.StartsHosting ? [allocation.TranscodingNode] : [], [], [],
            BackplaneChanges.Between(Backplanes, after.Backplanes));
    }

    /// <summary>
    /// A participant's call now costs this much on its transcoding and proxying nodes (a re-INVITE added video, R-QoS-2).
    /// The grain has reserved any difference on those nodes already; where the participant's media is does not change.
    /// </summary>
    public ConferencePlacement Recost(string participantId, CapacityUnits transcodingCost, CapacityUnits proxyingCost)
    {
        if (!Participants.TryGetValue(participantId, out var participant))
            throw new InvalidOperationException($"Participant \"{participantId}\" is not placed in \"{ConferenceName}\".");
        var host = _hostingNodes[participant.TranscodingNode];
        host = host with { CallLoad = host.CallLoad - participant.TranscodingCost + transcodingCost };
        return new ConferencePlacement(ConferenceName, MediaPolicy,
            _hostingNodes.SetItem(host.NodeName, host),
            _participants.SetItem(participantId, participant with { TranscodingCost = transcodingCost, ProxyingCost = proxyingCost }),
            _nextHostingSequence);
    }

    /// <summary>A participant left. A transcoding node left with no participants stops hosting and returns its reservation.</summary>
    public PlacementChange Release(string participantId)
    {
        if (!Participants.ContainsKey(participantId))
            throw new InvalidOperationException($"Participant \"{participantId}\" is not placed in \"{ConferenceName}\".");
        return Remove([participantId], droppedBecauseNodeFailed: false);
    }

    /// <summary>
    /// A node failed or left the cluster. Nothing survives on it (R85, L874; the grain may place some calls again): every participant whose signalling,
    /// proxy or media was on it is dropped, and the node no longer hosts. Capacity on the failed node itself is not
    /// listed for release (its ledger is gone with it); capacity on surviving nodes is.
    /// </summary>
    public PlacementChange DropNode(string nodeName)
    {
        var dropped = Participants.Values
            .Where(p => p.SignalingNode == nodeName || p.MediaProxyNode == nodeName || p.TranscodingNode == nodeName)
            .Select(p => p.ParticipantId)
            .ToList();
        var change = Remove(dropped, droppedBecauseNodeFailed: true);
        return change with { Released = change.Released.Where(r => r.NodeName != nodeName).ToList() };
    }

    private PlacementChange Remove(IReadOnlyList<string> participantIds, bool droppedBecauseNodeFailed)
    {
        var hostingNodes = _hostingNodes;
        var participants = _participants;
        var released = new Dictionary<string, CapacityUnits>(StringComparer.Ordinal);
        void Give(string node, CapacityUnits units) => released[node] = released.GetValueOrDefault(node) + units;
        var stopped = new List<string>();

        foreach (var id in participantIds)
        {
            var participant = participants[id];
            participants = participants.Remove(id);
            if (participant.MediaProxyNode is { } proxy) Give(proxy, participant.ProxyingCost);

            var host = hostingNodes[participant.TranscodingNode];
            host = host with { CallLoad = host.CallLoad - participant.TranscodingCost, Participants = host.Participants - 1 };
            Give(host.NodeName, participant.TranscodingCost);
            if (host.Participants == 0)
            {
                Give(host.NodeName, host.BackplaneReservation);
                hostingNodes = hostingNodes.Remove(host.NodeName);
                stopped.Add(host.NodeName);
            }
            else
            {
                hostingNodes = hostingNodes.SetItem(host.NodeName, host);
            }
        }

        var after = new ConferencePlacement(ConferenceName, MediaPolicy, hostingNodes, participants, _nextHostingSequence);
        return new PlacementChange(this, after, [],
            released.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new CapacityReservation(r.Key, r.Value)).ToList(),
            [], stopped, droppedBecauseNodeFailed ? participantIds : [],
            BackplaneChanges.Between(Backplanes, after.Backplanes));
    }
}
