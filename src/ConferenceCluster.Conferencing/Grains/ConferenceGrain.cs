using System.Collections.Immutable;
using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// One conference instance. Thin: <see cref="MediaAllocator"/> decides, <see cref="ConferencePlacement"/> records,
/// the NodeGrains' ledgers make each reservation atomic. A join runs allocate → reserve on every node the decision
/// names → admit, all in one turn, so the conference's own rules (three nodes per location, one intermediary per
/// location) hold whatever other conferences do concurrently, and no node is ever overbooked.
/// </summary>
/// <remarks>
/// Loads come fresh from the NodeGrains of the locations the join may use (the signalling location and its media
/// locations), not from a cache: one cheap call per node per join, and a refused reservation simply retries with
/// newer loads. Never collected while it has participants; deactivates as soon as it is empty.
/// </remarks>
[HashBasedPlacement]
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class ConferenceGrain(
    ConfigurationView configuration,
    ConfigurationRepository repository,
    ClusterNodes clusterNodes,
    IClusterMembershipView membership,
    IClusterStore store,
    HistoryWriter history,
    ConferencingOptions options,
    TimeProvider time,
    ILogger<ConferenceGrain> logger) : Grain, IConferenceGrain
{
    private const string ParticipantLeft = "Participant disconnected";

    private ConferencePlacement? _placement;
    private ImmutableDictionary<string, ParticipantDetails> _participants = ImmutableDictionary<string, ParticipantDetails>.Empty;
    /// <summary>Read by the membership handler off the turn, so replaced, never mutated.</summary>
    private ImmutableDictionary<string, SiloAddress> _nodeSilos = ImmutableDictionary<string, SiloAddress>.Empty;
    private ImmutableSortedSet<string> _nodesUsed = ImmutableSortedSet<string>.Empty;
    private DateTimeOffset _startedAt;
    private int _participantsEver;
    private long _stateVersion;
    /// <summary>Set before any write of the instance record, cleared only by a successful delete.</summary>
    private bool _stateMayExist;
    private IDisposable? _emptyTimer;

    private string Name => GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var saved = await store.Documents.GetAsync(ConferenceInstanceState.Collection, Name, cancellationToken);
        membership.Changed += OnMembershipChanged;
        if (saved is null) return;
        // The previous activation was lost (its silo died or left) while participants were in: take over its state.
        _stateVersion = saved.Version;
        _stateMayExist = true;
        var state = ConfigurationCollections.Deserialize<ConferenceInstanceState>(saved.Json);
        _placement = ConferencePlacement.Restore(Name, state.Policy, state.HostingNodes, state.Placements);
        _participants = state.Participants.ToImmutableDictionary(p => p.ParticipantId);
        _nodeSilos = state.NodeSilos.ToImmutableDictionary(kv => kv.Key, kv => SiloAddress.Parse(kv.Value));
        _nodesUsed = [.. state.NodesUsed];
        _startedAt = state.StartedAt;
        _participantsEver = state.ParticipantsEver;
        logger.LogInformation("Conference {Conference} restored with {Count} participants", Name, _participants.Count);
        await DropFailedNodesAsync();
        if (_placement is not null) await ReconcileLedgersAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        membership.Changed -= OnMembershipChanged;
        return Task.CompletedTask;
    }

    public async Task<JoinResult> Join(JoinRequest request)
    {
        await DropFailedNodesAsync();
        if (_placement?.Participants.TryGetValue(request.ParticipantId, out var placed) == true)
            return Accepted(placed);

        var room = configuration.Current.Conferences.GetValueOrDefault(Name)
                   ?? (await repository.GetConferenceAsync(Name))?.Value; // created since this silo's last poll
        if (room is null)
            return EndIfEmpty(Rejected(request, JoinRejectionReason.ConferenceNotFound, "conference not found"));
        if (_placement is null || _placement.IsEmpty)
        {
            // The media policy is fixed when the instance starts (a Maximum call quality change applies to later conferences, L7659).
            _placement = ConferencePlacement.Start(Name, ConferenceMediaPolicy.For(room, configuration.Current.Global));
            _startedAt = time.GetUtcNow();
        }
        if (room.ParticipantLimit is { } limit && _placement.Participants.Count >= limit)
            return Rejected(request, JoinRejectionReason.ParticipantLimitReached, "conference full");

        var unreachable = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; attempt <= options.MaxAllocationAttempts; attempt++)
        {
            var (snapshot, live) = await SnapshotForAsync(request, unreachable);
            var decision = MediaAllocator.Allocate(snapshot, _placement,
                new MediaAllocationRequest(request.ParticipantId, request.SignalingNode, request.Media, request.PolicyMediaLocations));
            if (decision is MediaRejected rejected)
                return EndIfEmpty(Rejected(request, RejectionOf(rejected.Reason), rejected.UserMessage));

            var allocated = (MediaAllocated)decision;
            if (!await TryReserveAllAsync(allocated, unreachable))
            {
                // A node's load moved on since the snapshot (another conference got there first): look again.
                ConferencingMetrics.ReservationRefusals.Add(1);
                continue;
            }

            var change = _placement.Admit(allocated);
            _placement = change.After;
            _participants = _participants.SetItem(request.ParticipantId,
                new ParticipantDetails(request.ParticipantId, request.DisplayName, request.Role, time.GetUtcNow(), request.Media));
            var nodes = new[] { allocated.SignalingNode, allocated.MediaProxyNode, allocated.TranscodingNode }.OfType<string>().ToList();
            _nodeSilos = _nodeSilos.SetItems(nodes.Where(n => !_nodeSilos.ContainsKey(n)).Select(n => KeyValuePair.Create(n, live[n])));
            _nodesUsed = _nodesUsed.Union(nodes);
            _participantsEver++;
            await PersistAsync();
            LingerIfEmpty();
            return Accepted(_placement.Participants[request.ParticipantId]);
        }

        ConferencingMetrics.AllocationGaveUp.Add(1);
        logger.LogWarning("Join of {Participant} to {Conference} gave up after {Attempts} refused reservations",
            request.ParticipantId, Name, options.MaxAllocationAttempts);
        return EndIfEmpty(Rejected(request, JoinRejectionReason.CapacityExceeded, "capacity exceeded"));
    }

    public Task<bool> Leave(string participantId) => RemoveAsync(participantId, ParticipantLeft, notify: false);

    public Task<bool> Disconnect(string participantId, string reason) => RemoveAsync(participantId, reason, notify: true);

    public async Task<ConferenceStatus> GetStatus()
    {
        await DropFailedNodesAsync();
        var placement = _placement ?? ConferencePlacement.Start(Name, ConferenceMediaPolicy.HdWithPresentation);
        var topology = placement.Backplanes;
        string LocationOf(string node) => placement.HostingNodes[node].Location;
        ParticipantStatus StatusOf(ParticipantPlacement p)
        {
            var details = _participants.GetValueOrDefault(p.ParticipantId);
            return new ParticipantStatus(p.ParticipantId, details?.DisplayName, details?.Role ?? ParticipantRole.Host,
                p.SignalingNode, p.MediaProxyNode, p.TranscodingNode, p.TranscodingLocation, details?.JoinedAt ?? _startedAt, details?.Media);
        }
        var status = new ConferenceStatus(
            Name,
            placement.IsEmpty ? null : _startedAt,
            placement.Participants.Values.Select(StatusOf).ToList(),
            placement.HostingNodes.Values.Select(h => new MediaNodeStatus(h.NodeName, h.Location, h.Participants, topology.IsIntermediary(h.NodeName), h.Held)).ToList(),
            topology.Backplanes.Select(b => new BackplaneStatus(b.Kind, b.NodeA, LocationOf(b.NodeA), b.NodeB, LocationOf(b.NodeB))).ToList(),
            topology.Intermediaries.ToDictionary(kv => kv.Key, kv => kv.Value));
        LingerIfEmpty();
        return status;
    }

    public async Task NodeFailed(string nodeName)
    {
        if (_placement is null || _placement.IsEmpty)
        {
            LingerIfEmpty(); // a late notice to an ended (or never started) conference
            return;
        }
        if (!_nodeSilos.ContainsKey(nodeName)) return;
        logger.LogWarning("Conference {Conference}: node {Node} failed; dropping its participants (no live failover, R85)", Name, nodeName);
        var change = _placement.DropNode(nodeName);
        await ApplyRemovalAsync(change, change.DroppedParticipants, $"Conferencing Node {nodeName} failed", notify: true, failedNode: nodeName);
    }

    // ---- joining ----

    /// <summary>
    /// The allocator's input: every live node (configuration view + membership), with fresh loads from the NodeGrains
    /// of the signalling location and the locations the call's media may use; the others it never looks at.
    /// </summary>
    private async Task<(ClusterSnapshot Snapshot, IReadOnlyDictionary<string, SiloAddress> Live)> SnapshotForAsync(JoinRequest request, HashSet<string> unreachable)
    {
        var config = configuration.Current;
        var live = clusterNodes.Live().Where(n => !unreachable.Contains(n.Node.Name)).ToList();
        var statuses = live.ToDictionary(n => n.Node.Name, n => new NodeStatus(n.Node, CapacityUnits.Zero), StringComparer.Ordinal);

        var relevant = new HashSet<string>(StringComparer.Ordinal);
        if (statuses.TryGetValue(request.SignalingNode, out var signaling))
        {
            relevant.Add(signaling.Location);
            var location = config.Locations.GetValueOrDefault(signaling.Location) ?? new SystemLocation(signaling.Location);
            relevant.UnionWith(request.PolicyMediaLocations ?? location.MediaLocationChain().Select(c => c.Location));
        }
        var asked = live.Where(n => relevant.Contains(n.Node.SystemLocation)).Select(n => n.Node.Name).ToList();
        var reports = await Task.WhenAll(asked.Select(TryGetStatusAsync));
        for (var i = 0; i < asked.Count; i++)
        {
            if (reports[i] is { } report) statuses[asked[i]] = report.ToNodeStatus();
            else statuses.Remove(asked[i]); // unreachable: as good as gone for this join
        }
        return (new ClusterSnapshot(config.Locations.Values, statuses.Values), live.ToDictionary(n => n.Node.Name, n => n.Silo, StringComparer.Ordinal));
    }

    private async Task<NodeLoadReport?> TryGetStatusAsync(string node)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeGrain>(node).GetStatus();
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Node {Node} did not report its load", node);
            return null;
        }
    }

    /// <summary>Reserves everything the decision names, in node-name order; all or nothing.</summary>
    private async Task<bool> TryReserveAllAsync(MediaAllocated allocated, HashSet<string> unreachable)
    {
        var granted = new List<CapacityReservation>();
        foreach (var reservation in allocated.Reservations)
        {
            bool ok;
            try
            {
                ok = (await GrainFactory.GetGrain<INodeGrain>(reservation.NodeName).TryReserve(Name, reservation.Units)).Granted;
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Node {Node} could not take a reservation", reservation.NodeName);
                unreachable.Add(reservation.NodeName);
                ok = false;
            }
            if (!ok)
            {
                await ReleaseAsync(granted);
                return false;
            }
            granted.Add(reservation);
        }
        return true;
    }

    private static JoinResult Accepted(ParticipantPlacement p) =>
        ConferencingMetrics.Count(new(p.ParticipantId, true, p.SignalingNode, p.TranscodingNode, p.MediaProxyNode, p.TranscodingLocation));

    private static JoinResult Rejected(JoinRequest request, JoinRejectionReason reason, string message) =>
        ConferencingMetrics.Count(new(request.ParticipantId, false, request.SignalingNode, Rejection: reason, Message: message));

    private static JoinRejectionReason RejectionOf(MediaRejectionReason reason) => reason switch
    {
        MediaRejectionReason.SignalingNodeInMaintenance => JoinRejectionReason.SignalingNodeInMaintenance,
        MediaRejectionReason.SignalingNodeUnknown => JoinRejectionReason.SignalingNodeUnknown,
        _ => JoinRejectionReason.CapacityExceeded,
    };

    private JoinResult EndIfEmpty(JoinResult result)
    {
        LingerIfEmpty();
        return result;
    }

    /// <summary>
    /// An empty conference takes no resources (R5, L949), so its activation goes, but only after
    /// <see cref="ConferencingOptions.EmptyConferenceLinger"/>: a conference that just emptied or turned its first callers
    /// away is likely to be called again at once, and deactivating immediately makes racing calls chase a moving
    /// activation (in a surge, past the runtime's forward limit).
    /// </summary>
    private void LingerIfEmpty()
    {
        if (_placement is { IsEmpty: false })
        {
            _emptyTimer?.Dispose();
            _emptyTimer = null;
            return;
        }
        _emptyTimer ??= RegisterTimer(async _ =>
        {
            _emptyTimer = null;
            if (_placement is { IsEmpty: false }) return;
            // Never leave an ended conference's record behind: a later activation would restore its participants.
            if (await TryDeleteStateAsync()) DeactivateOnIdle();
            else LingerIfEmpty();
        }, options.EmptyConferenceLinger, Timeout.InfiniteTimeSpan);
    }

    // ---- leaving ----

    private async Task<bool> RemoveAsync(string participantId, string reason, bool notify)
    {
        await DropFailedNodesAsync();
        if (_placement is null || !_placement.Participants.ContainsKey(participantId))
        {
            LingerIfEmpty();
            return false;
        }
        await ApplyRemovalAsync(_placement.Release(participantId), [participantId], reason, notify, failedNode: null);
        return true;
    }

    private async Task ApplyRemovalAsync(PlacementChange change, IReadOnlyList<string> removed, string reason, bool notify, string? failedNode)
    {
        _placement = change.After;
        await ReleaseAsync(change.Released);
        var now = time.GetUtcNow();
        foreach (var id in removed)
        {
            var p = change.Before.Participants[id];
            var details = _participants.GetValueOrDefault(id) ?? new ParticipantDetails(id, null, ParticipantRole.Host, _startedAt);
            _participants = _participants.Remove(id);
            await history.WriteAsync(new ParticipantHistoryRecord(
                Guid.NewGuid().ToString("N"), Name, id, details.DisplayName, details.Role, p.SignalingNode, p.MediaProxyNode,
                p.TranscodingNode, p.TranscodingLocation, details.JoinedAt, now, (now - details.JoinedAt).TotalSeconds, reason));
            // A participant whose signalling node failed has no call leg left to tell.
            if (notify && p.SignalingNode != failedNode)
                _ = NotifyAsync(id, reason);
        }

        var inUse = _placement.Participants.Values
            .SelectMany(p => new[] { p.SignalingNode, p.MediaProxyNode, p.TranscodingNode }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        _nodeSilos = _nodeSilos.Where(kv => inUse.Contains(kv.Key)).ToImmutableDictionary();

        if (_placement.IsEmpty) await EndAsync(reason, now);
        else await PersistAsync();
    }

    private async Task NotifyAsync(string participantId, string reason)
    {
        try
        {
            await GrainFactory.GetGrain<IParticipantGrain>(participantId).Disconnected(Name, reason);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Could not tell {Participant} it was disconnected", participantId);
        }
    }

    private async Task EndAsync(string reason, DateTimeOffset now)
    {
        await history.WriteAsync(new ConferenceHistoryRecord(
            Guid.NewGuid().ToString("N"), Name, _startedAt, now, (now - _startedAt).TotalSeconds, _participantsEver, _nodesUsed.ToList(),
            reason == ParticipantLeft ? "Last participant left" : reason));
        await TryDeleteStateAsync();
        _nodesUsed = [];
        _participantsEver = 0;
        LingerIfEmpty();
    }

    private async Task ReleaseAsync(IEnumerable<CapacityReservation> releases)
    {
        foreach (var release in releases)
        {
            try
            {
                await GrainFactory.GetGrain<INodeGrain>(release.NodeName).Release(Name, release.Units);
            }
            catch (Exception ex)
            {
                // The node is gone, and its ledger with it.
                logger.LogDebug(ex, "Could not release {Units} on {Node}", release.Units, release.NodeName);
            }
        }
    }

    // ---- node failure ----

    /// <summary>Membership events arrive off the turn: queue a one-way NodeFailed for each node this conference uses that is gone.</summary>
    private void OnMembershipChanged(MembershipSnapshot snapshot)
    {
        foreach (var (node, silo) in Volatile.Read(ref _nodeSilos))
        {
            if (snapshot.GetStatus(silo).IsTerminating() && !IsThisSilo(silo))
                _ = GrainFactory.GetGrain<IConferenceGrain>(Name).NodeFailed(node).ContinueWith(
                    t => logger.LogDebug(t.Exception, "NodeFailed notice to {Conference} failed", Name), TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    /// <summary>Checked at the start of each request too, so what a request sees never depends on when the event came.</summary>
    private async Task DropFailedNodesAsync()
    {
        foreach (var (node, silo) in _nodeSilos)
        {
            if (clusterNodes.HasFailed(silo) && !IsThisSilo(silo) && _placement is { IsEmpty: false } && _nodeSilos.ContainsKey(node))
                await NodeFailed(node);
        }
    }

    /// <summary>
    /// A conference does not act on the failure of the silo it runs on: that silo is going, its messages to the dropped
    /// participants might go with it, and its successor activation (restored from the instance record) drops the node
    /// and tells them from a healthy silo.
    /// </summary>
    private bool IsThisSilo(SiloAddress silo) => silo == Silo.SiloAddress;

    /// <summary>After a takeover: make every live node's ledger agree with what this conference holds on it.</summary>
    private async Task ReconcileLedgersAsync()
    {
        var held = _placement!.CapacityHeldPerNode();
        foreach (var node in clusterNodes.Live())
        {
            try
            {
                await GrainFactory.GetGrain<INodeGrain>(node.Node.Name).Reconcile(Name, held.GetValueOrDefault(node.Node.Name));
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Could not reconcile {Conference} on {Node}", Name, node.Node.Name);
            }
        }
    }

    // ---- persistence ----

    /// <summary>
    /// Writes the instance record. While this activation lives its memory is the truth, so a failed write is logged,
    /// not thrown: the call it records is admitted (or gone) either way, and the next change writes again.
    /// </summary>
    private async Task PersistAsync()
    {
        try
        {
            await WriteStateAsync();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Conference {Conference}: could not write its instance record", Name);
        }
    }

    /// <summary>True when no instance record is left in the store.</summary>
    private async Task<bool> TryDeleteStateAsync()
    {
        if (!_stateMayExist) return true;
        try
        {
            await store.Documents.DeleteAsync(ConferenceInstanceState.Collection, Name);
            _stateVersion = 0;
            _stateMayExist = false;
            return true;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Conference {Conference}: could not delete its instance record; retrying before it deactivates", Name);
            return false;
        }
    }

    private async Task WriteStateAsync()
    {
        var placement = _placement!;
        var json = ConfigurationCollections.Serialize(new ConferenceInstanceState(
            Name, _startedAt, placement.MediaPolicy, placement.HostingNodes.Values.ToList(), placement.Participants.Values.ToList(),
            _participants.Values.ToList(), _nodeSilos.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()), _nodesUsed.ToList(), _participantsEver));
        var documents = store.Documents;
        _stateMayExist = true;
        var saved = _stateVersion == 0
            ? await documents.TryInsertAsync(ConferenceInstanceState.Collection, Name, json)
            : await documents.TryUpdateAsync(ConferenceInstanceState.Collection, Name, json, _stateVersion);
        if (saved is null)
        {
            // Only a stale record of an earlier activation can be in the way (the directory keeps this one single): replace it.
            var current = await documents.GetAsync(ConferenceInstanceState.Collection, Name);
            logger.LogWarning("Conference {Conference}: replacing a state record at version {Version}", Name, current?.Version);
            saved = current is null
                ? await documents.TryInsertAsync(ConferenceInstanceState.Collection, Name, json)
                : await documents.TryUpdateAsync(ConferenceInstanceState.Collection, Name, json, current.Version);
        }
        _stateVersion = saved?.Version ?? 0;
    }
}
