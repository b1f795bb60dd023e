using System.Collections.Immutable;
using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Conferencing.Cluster;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Storage;

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
/// <para>
/// The Host/Guest rules (R-HG, R-LOCK, R-MUTE, R-DTMF) are a <see cref="HostedConference"/> it owns: a join asks it
/// whether the caller joins now or waits for the host. A waiting participant holds no media and no capacity; when
/// it is let in, it is allocated exactly as a direct join and its ParticipantGrain is told one-way
/// (<see cref="IParticipantGrain.Admitted"/>). Prompts and mutes reach call legs the same way. One grain timer
/// runs at <see cref="HostedConference.NextDueAt"/>, and a reminder at <see cref="HostedConference.NextDeadline"/> so a
/// deadline outlives the silo. Placement, participants, lobby and waiting calls are the grain's persistent state,
/// written after every change: an activation lost with its silo comes back elsewhere as it was.
/// </para>
/// </remarks>
[HashBasedPlacement]
[KeepAlive]
public sealed partial class ConferenceGrain(
    [PersistentState("conference", ConferencingStorage.Grains)] IPersistentState<ConferenceInstanceState> state,
    ConfigurationView configuration,
    ConfigurationRepository repository,
    ClusterNodes clusterNodes,
    MembershipChanges membership,
    RunningConferences running,
    ILocalSiloDetails localSilo,
    HistoryWriter history,
    ConferencingOptions options,
    TimeProvider time,
    IBackplaneWiring backplaneWiring,
    IVideoLayoutWiring videoLayoutWiring,
    IConferenceEvents events,
    ILogger<ConferenceGrain> logger) : Grain, IConferenceGrain, IRemindable
{
    private const string ParticipantLeft = "Participant disconnected";

    /// <summary>Carries every change of the topology to the media nodes (R34–R38).</summary>
    private readonly ConferenceBackplanes _backplanes = new(backplaneWiring);

    /// <summary>Carries the conference's video (layout, roster) to its media nodes, numbered from this activation's start.</summary>
    private readonly ConferenceVideoLayouts _videoLayouts = new(videoLayoutWiring, time.GetUtcNow().UtcTicks);

    /// <summary>The layout in force while the instance runs: the room's View, or a Host's change (L7089); null without video.</summary>
    private LayoutKind? _layout;

    private ConferencePlacement? _placement;
    private ImmutableDictionary<string, ParticipantDetails> _participants = ImmutableDictionary<string, ParticipantDetails>.Empty;
    /// <summary>What a leaving participant's media leg measured, kept for the one history record its Leave writes.</summary>
    private readonly Dictionary<string, CallQuality> _leavingQuality = new(StringComparer.Ordinal);
    /// <summary>Read by the membership handler off the turn, so replaced, never mutated.</summary>
    private ImmutableDictionary<string, SiloAddress> _nodeSilos = ImmutableDictionary<string, SiloAddress>.Empty;
    private ImmutableSortedSet<string> _nodesUsed = ImmutableSortedSet<string>.Empty;
    private DateTimeOffset _startedAt;
    private int _participantsEver;
    /// <summary>This instance is in <see cref="RunningConferences"/> (recorded at its first write, removed when it ends).</summary>
    private bool _listedAsRunning;
    /// <summary>When the deadline reminder is due, while one is registered.</summary>
    private DateTimeOffset? _reminderDue;
    private IDisposable? _emptyTimer;
    /// <summary>An instance is running from its first accepted participant (in or waiting) until it ends.</summary>
    private bool _running;
    /// <summary>The instance's Host/Guest rules; the PIN policy it was built with (fixed for the instance).</summary>
    private HostedConference? _lobby;
    private PinPolicy _pins = PinPolicy.None;
    /// <summary>Waiting for the host, with the join they asked for, in arrival order (the lobby keeps the order).</summary>
    private ImmutableDictionary<string, WaitingParticipant> _waiting = ImmutableDictionary<string, WaitingParticipant>.Empty;
    private IDisposable? _lobbyTimer;
    private DateTimeOffset? _lobbyTimerDue;
    /// <summary>Why the lobby ended the conference (## from a Host, Guests-only timeout), for the conference history.</summary>
    private string? _endReason;
    /// <summary>The placement changed since the instance record was last written.</summary>
    private bool _dirty;

    private string Name => this.GetPrimaryKeyString();

    /// <summary>This grain's own reference, taken in a turn: the membership handler runs off the turn, where Grain.GrainFactory throws.</summary>
    private IConferenceGrain _self = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _self = this.AsReference<IConferenceGrain>();
        membership.Changed += OnMembershipChanged;
        if (!state.RecordExists || state.State is not { } saved) return;
        // The previous activation was lost (its silo died or left) while the conference ran: take over its state.
        _listedAsRunning = true;
        _placement = ConferencePlacement.Restore(Name, saved.Policy, saved.HostingNodes, saved.Placements);
        _backplanes.Restored(_placement.Backplanes);
        _participants = saved.Participants.ToImmutableDictionary(p => p.ParticipantId);
        _nodeSilos = saved.NodeSilos.ToImmutableDictionary(kv => kv.Key, kv => SiloAddress.FromParsableString(kv.Value));
        _nodesUsed = [.. saved.NodesUsed];
        _startedAt = saved.StartedAt;
        _participantsEver = saved.ParticipantsEver;
        _waiting = (saved.Waiting ?? []).ToImmutableDictionary(w => w.Request.ParticipantId);
        _reminderDue = saved.ReminderDue;
        _layout = saved.Policy.IsAudioOnly ? null : saved.Layout ?? configuration.Current.Conferences.GetValueOrDefault(Name)?.View ?? LayoutKinds.Default;
        logger.LogInformation("Conference {Conference} restored with {Count} participants and {Waiting} waiting", Name, _participants.Count, _waiting.Count);
        _running = !_placement.IsEmpty || !_waiting.IsEmpty;
        if (_running && saved.Lobby is { } lobby) RestoreLobby(lobby);
        else if (_running) RebuildLobby();
        await DropFailedNodesAsync();
        if (_placement is not null) await ReconcileLedgersAsync();
        if (_placement is not null) await FollowMediaNodesAsync();
        ScheduleLobbyTimer();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        membership.Changed -= OnMembershipChanged;
        _lobbyTimer?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<JoinResult> Join(JoinRequest request)
    {
        await DropFailedNodesAsync();
        if (_placement?.Participants.TryGetValue(request.ParticipantId, out var placed) == true)
            return Accepted(placed);
        if (_waiting.TryGetValue(request.ParticipantId, out var waiting))
            return WaitingResult(waiting.Request);

        var room = configuration.Current.Conferences.GetValueOrDefault(Name)
                   ?? (await repository.GetConferenceAsync(Name))?.Value; // created since this silo's last poll
        if (room is null)
            return EndIfEmpty(Rejected(request, JoinRejectionReason.ConferenceNotFound, "conference not found"));
        if (!_running)
        {
            // The media policy is fixed when the instance starts (a Maximum call quality change applies to later conferences, L7659).
            _placement = ConferencePlacement.Start(Name, ConferenceMediaPolicy.For(room, configuration.Current.Global));
            // The room's View for this instance (L5535); a Host may change it while it runs (L7089).
            _layout = _placement.MediaPolicy.IsAudioOnly ? null : room.View;
            _pins = PinPolicy.For(room);
            _lobby = NewLobby();
        }
        else if (_lobby is null || _lobby.HasEnded)
        {
            RebuildLobby();
        }
        var lobby = _lobby!;
        // R-PIN-2 rows 1–2 (L6990–7003): where Guests are not allowed, every caller is a Host; invitees keep their role (R-LOCK-2).
        if (request.Arrival == ArrivalKind.Caller && !_pins.AllowGuests)
            request = request with { Role = ParticipantRole.Host };

        if (!MustWait(lobby, request))
        {
            // Media first: a caller turned away for capacity leaves no trace in the lobby.
            var result = await PlaceAsync(request, room);
            if (!result.Accepted) return EndIfEmpty(result);
            StartRunning();
            var decision = lobby.Arrive(request.ParticipantId, request.Role, request.CallKind, request.Arrival);
            // Unreachable while MustWait mirrors the lobby's rule; if they ever differ, the media already held wins.
            var actions = decision.JoinsNow ? decision.Actions : [.. decision.Actions, .. lobby.Admit(request.ParticipantId)];
            await CarryOutAsync(actions);
            await AfterChangeAsync(ParticipantLeft);
            return _placement!.Participants.TryGetValue(request.ParticipantId, out var mine)
                ? Accepted(mine)
                : Rejected(request, JoinRejectionReason.CapacityExceeded, "conference ended");
        }

        // "Waiting for the host" (R-HG-1, R-LOCK-2/3): no media, no capacity held until let in.
        StartRunning();
        _waiting = _waiting.SetItem(request.ParticipantId, new WaitingParticipant(request, time.GetUtcNow()));
        _dirty = true;
        await CarryOutAsync(lobby.Arrive(request.ParticipantId, request.Role, request.CallKind, request.Arrival).Actions);
        await AfterChangeAsync(ParticipantLeft);
        if (_placement!.Participants.TryGetValue(request.ParticipantId, out var admitted)) return Accepted(admitted);
        return _waiting.ContainsKey(request.ParticipantId)
            ? WaitingResult(request)
            : Rejected(request, JoinRejectionReason.CapacityExceeded, "capacity exceeded");
    }

    /// <summary>
    /// Allocates and reserves media for a participant joining now, directly or from waiting: the participant limit,
    /// the allocator's rules, all-or-nothing reservations with retries. Records it in the placement on success.
    /// </summary>
    private async Task<JoinResult> PlaceAsync(JoinRequest request, VirtualMeetingRoom? room)
    {
        if (room?.ParticipantLimit is { } limit && _placement!.Participants.Count >= limit)
            return Rejected(request, JoinRejectionReason.ParticipantLimitReached, "conference full");

        var unreachable = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; attempt <= options.MaxAllocationAttempts; attempt++)
        {
            var (snapshot, live) = await SnapshotForAsync(request, unreachable);
            var decision = MediaAllocator.Allocate(snapshot, _placement!,
                new MediaAllocationRequest(request.ParticipantId, request.SignalingNode, request.Media, request.PolicyMediaLocations));
            if (decision is MediaRejected rejected)
            {
                if (RejectionOf(rejected.Reason) == JoinRejectionReason.CapacityExceeded) events.CapacityExhausted(Name, request.SignalingNode);
                return Rejected(request, RejectionOf(rejected.Reason), rejected.UserMessage);
            }

            var allocated = (MediaAllocated)decision;
            if (!await TryReserveAllAsync(allocated, unreachable))
            {
                // A node's load moved on since the snapshot (another conference got there first): look again.
                ConferencingMetrics.ReservationRefusals.Add(1);
                continue;
            }

            var change = _placement!.Admit(allocated);
            _placement = change.After;
            // A call placed again after its node failed keeps its place in the join order (the layouts' order).
            var sequence = _participants.GetValueOrDefault(request.ParticipantId)?.Sequence ?? _participantsEver + 1;
            _participants = _participants.SetItem(request.ParticipantId,
                new ParticipantDetails(request.ParticipantId, request.DisplayName, request.Role, time.GetUtcNow(), request.Media, request.Leg, sequence));
            var nodes = new[] { allocated.SignalingNode, allocated.MediaProxyNode, allocated.TranscodingNode }.OfType<string>().ToList();
            _nodeSilos = _nodeSilos.SetItems(nodes.Where(n => !_nodeSilos.ContainsKey(n)).Select(n => KeyValuePair.Create(n, live[n])));
            _nodesUsed = _nodesUsed.Union(nodes);
            _participantsEver++;
            _dirty = true;
            StartRunning(); // before participant_connected, so a sink sees conference_started first
            events.ParticipantConnected(ParticipantEvents.Of(Name, _placement.Participants[request.ParticipantId], _participants[request.ParticipantId]));
            // Its media node knows the conference's video before the call's signalling node, told of the placement, adds its legs there.
            await FollowVideoAsync();
            return Accepted(_placement.Participants[request.ParticipantId]);
        }

        ConferencingMetrics.AllocationGaveUp.Add(1);
        logger.LogWarning("Join of {Participant} to {Conference} gave up after {Attempts} refused reservations",
            request.ParticipantId, Name, options.MaxAllocationAttempts);
        return Rejected(request, JoinRejectionReason.CapacityExceeded, "capacity exceeded");
    }

    public Task<bool> Leave(string participantId) => Leave(participantId, null);

    public async Task<bool> Leave(string participantId, CallQuality? quality)
    {
        if (quality is not null) _leavingQuality[participantId] = quality;
        try
        {
            return await RemoveAsync(participantId, ParticipantLeft, notify: false);
        }
        finally
        {
            _leavingQuality.Remove(participantId);
        }
    }

    public Task<bool> Disconnect(string participantId, string reason) => RemoveAsync(participantId, reason, notify: true);

    public async Task Dtmf(string participantId, string digits) => await ControlAsync(lobby => lobby.Dtmf(participantId, digits));

    public Task<bool> Lock() => ControlAsync(lobby => lobby.Lock());

    public Task<bool> Unlock() => ControlAsync(lobby => lobby.Unlock());

    public async Task<bool> Admit(string participantId) =>
        _waiting.ContainsKey(participantId)
        && await ControlAsync(lobby => lobby.Admit(participantId))
        && _placement?.Participants.ContainsKey(participantId) == true;

    public async Task<bool> Reject(string participantId) =>
        _waiting.ContainsKey(participantId)
        && await ControlAsync(lobby => lobby.Reject(participantId))
        && !_waiting.ContainsKey(participantId);

    public async Task<bool> StartMeeting() => await ControlAsync(lobby => lobby.StartMeeting()) && _lobby?.HasStarted == true;

    public async Task MuteAllGuests(bool muted) => await ControlAsync(lobby => lobby.MuteAllGuests(muted));

    public async Task<bool> ChangeRole(string participantId, ParticipantRole role, string? requestedBy = null)
    {
        var waiting = _waiting.GetValueOrDefault(participantId);
        var details = _placement?.Participants.ContainsKey(participantId) == true ? _participants.GetValueOrDefault(participantId) : null;
        if (waiting is null && details is null) return false;
        if (role == ParticipantRole.Guest && requestedBy == participantId) return false; // L7052
        // Recorded first: a waiting caller made Host is placed with the new role as the lobby lets it in.
        if (waiting is not null) _waiting = _waiting.SetItem(participantId, waiting with { Request = waiting.Request with { Role = role } });
        if (details is not null && details.Role != role)
        {
            _participants = _participants.SetItem(participantId, details with { Role = role });
            _dirty = true;
            if (ParticipantEvents.Of(Name, _placement, _participants, participantId, _lobby?.IsMuted(participantId) == true) is { } updated) events.ParticipantUpdated(updated);
        }
        return await ControlAsync(lobby => lobby.ChangeRole(participantId, role, requestedBy));
    }

    public async Task<bool> SetMuted(string participantId, bool muted) =>
        await ControlAsync(lobby => lobby.SetMuted(participantId, muted)) && _lobby?.IsMuted(participantId) == muted;

    public async Task<bool> ChangeCallMedia(string participantId, CallMedia media)
    {
        await DropFailedNodesAsync();
        if (_placement?.Participants.GetValueOrDefault(participantId) is not { } placed || _participants.GetValueOrDefault(participantId) is not { } details)
        {
            LingerIfEmpty();
            return false;
        }
        // What the call costs now (R-QoS-2, R58); it keeps what it holds when that is more (no re-accounting on a downspeed).
        var policy = _placement.MediaPolicy;
        var transcoding = CapacityUnits.Max(placed.TranscodingCost, MediaCosts.OnTranscodingNode(media, policy));
        var proxying = placed.MediaProxyNode is null ? placed.ProxyingCost : CapacityUnits.Max(placed.ProxyingCost, MediaCosts.OnProxyingNode(media, policy));
        var extra = new List<CapacityReservation>();
        if (transcoding > placed.TranscodingCost) extra.Add(new(placed.TranscodingNode, transcoding - placed.TranscodingCost));
        if (proxying > placed.ProxyingCost) extra.Add(new(placed.MediaProxyNode!, proxying - placed.ProxyingCost));
        if (!await TryReserveAllAsync(extra.OrderBy(r => r.NodeName, StringComparer.Ordinal).ToList(), []))
        {
            logger.LogInformation("Conference {Conference}: {Participant}'s call stays as it was, its nodes cannot take {Media}", Name, participantId, media);
            return false;
        }
        _placement = _placement.Recost(participantId, transcoding, proxying);
        _participants = _participants.SetItem(participantId, details with { Media = media });
        _dirty = true;
        await AfterChangeAsync(ParticipantLeft);
        return true;
    }

    public async Task<bool> TransformLayout(LayoutKind layout)
    {
        await DropFailedNodesAsync();
        if (!_running || _layout is null || !Enum.IsDefined(layout))
        {
            LingerIfEmpty();
            return false;
        }
        if (_layout != layout)
        {
            logger.LogInformation("Conference {Conference}: layout {Old} → {New}", Name, _layout.Value.ToCommand(), layout.ToCommand());
            _layout = layout;
            _dirty = true;
        }
        await AfterChangeAsync(ParticipantLeft);
        return true;
    }

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
                p.SignalingNode, p.MediaProxyNode, p.TranscodingNode, p.TranscodingLocation, details?.JoinedAt ?? _startedAt, details?.Media,
                _lobby?.IsMuted(p.ParticipantId) == true, details?.Leg);
        }
        var lobby = _running ? _lobby : null;
        var waiting = lobby is null
            ? []
            : lobby.Waiting.Select(id => _waiting.GetValueOrDefault(id)).OfType<WaitingParticipant>()
                .Select(w => new WaitingParticipantStatus(w.Request.ParticipantId, w.Request.Role, w.Request.DisplayName, w.Since, w.Request.SignalingNode))
                .ToList();
        var status = new ConferenceStatus(
            Name,
            _running ? _startedAt : null,
            placement.Participants.Values.Select(StatusOf).ToList(),
            placement.HostingNodes.Values.Select(h => new MediaNodeStatus(h.NodeName, h.Location, h.Participants, topology.IsIntermediary(h.NodeName), h.Held)).ToList(),
            topology.Backplanes.Select(b => new BackplaneStatus(b.Kind, b.NodeA, LocationOf(b.NodeA), b.NodeB, LocationOf(b.NodeB))).ToList(),
            topology.Intermediaries.ToDictionary(kv => kv.Key, kv => kv.Value),
            lobby?.IsLocked ?? false,
            lobby?.GuestsMuted ?? false,
            waiting,
            _running ? _layout : null);
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
        logger.LogWarning("Conference {Conference}: node {Node} failed; moving or dropping its participants", Name, nodeName);
        var change = _placement.DropNode(nodeName);
        var reason = $"Conferencing Node {nodeName} failed";
        var movable = MovableOffFailedNode(change, nodeName);
        await ApplyRemovalAsync(change, change.DroppedParticipants.Except(movable).ToList(), reason, notify: true, failedNode: nodeName);
        var stranded = await MoveCallsAsync(change, movable);
        if (stranded.Count > 0)
            await ApplyRemovalAsync(change with { After = _placement!, Released = [] }, stranded, reason, notify: true, failedNode: nodeName);
        await AfterChangeAsync(reason);
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
    private Task<bool> TryReserveAllAsync(MediaAllocated allocated, HashSet<string> unreachable) => TryReserveAllAsync(allocated.Reservations, unreachable);

    /// <summary>Reserves every one of <paramref name="reservations"/> in the order given; all or nothing.</summary>
    private async Task<bool> TryReserveAllAsync(IReadOnlyList<CapacityReservation> reservations, HashSet<string> unreachable)
    {
        var granted = new List<CapacityReservation>();
        foreach (var reservation in reservations)
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

    private static JoinResult WaitingResult(JoinRequest request) =>
        ConferencingMetrics.Count(new(request.ParticipantId, true, request.SignalingNode, Waiting: true));

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
        if (_running)
        {
            _emptyTimer?.Dispose();
            _emptyTimer = null;
            return;
        }
        _emptyTimer ??= this.RegisterGrainTimer(async _ =>
        {
            _emptyTimer = null;
            if (_running) return;
            // Never leave an ended conference's record behind: a later activation would restore its participants.
            if (await TryDeleteStateAsync()) DeactivateOnIdle();
            else LingerIfEmpty();
        }, options.EmptyConferenceLinger, Timeout.InfiniteTimeSpan);
    }

    // ---- the media nodes' view of the conference ----

    /// <summary>
    /// Tells the media nodes what the conference is now: its video first (so a node opening a backplane end knows whether it
    /// carries video), then its backplane topology.
    /// </summary>
    private async Task FollowMediaNodesAsync()
    {
        await FollowVideoAsync();
        await _backplanes.FollowAsync(Name, _placement!.Backplanes);
    }

    /// <summary>Hands every media node hosting the conference its video state (layout, quality, roster in join order); only changes are sent.</summary>
    private Task FollowVideoAsync()
    {
        var placement = _placement!;
        return _videoLayouts.FollowAsync(Name, placement.HostingNodes.Keys.ToList(), placement.MediaPolicy.MaximumCallQuality, _layout, Roster(placement));
    }

    /// <summary>
    /// Everyone with media, in join order (a moved call keeps its place), with the role and video the layouts need: a call
    /// that declared video sends and receives it; an audio-only one is an indicator, never a tile (L7097).
    /// </summary>
    private List<LayoutParticipant> Roster(ConferencePlacement placement) =>
        placement.Participants.Keys
            .Select(id => _participants.GetValueOrDefault(id) ?? new ParticipantDetails(id, null, ParticipantRole.Host, _startedAt))
            .OrderBy(d => d.Sequence).ThenBy(d => d.JoinedAt).ThenBy(d => d.ParticipantId, StringComparer.Ordinal)
            .Select(d =>
            {
                var video = d.Media is { AudioOnly: false };
                return new LayoutParticipant(d.ParticipantId, d.Role == ParticipantRole.Guest ? LayoutRole.Guest : LayoutRole.Host, video, video);
            })
            .ToList();

    // ---- leaving ----

    private async Task<bool> RemoveAsync(string participantId, string reason, bool notify)
    {
        await DropFailedNodesAsync();
        if (_waiting.ContainsKey(participantId))
        {
            await RemoveWaitingAsync(participantId, reason, notify);
            await AfterChangeAsync(reason);
            return true;
        }
        if (_placement is null || !_placement.Participants.ContainsKey(participantId))
        {
            LingerIfEmpty();
            return false;
        }
        await ApplyRemovalAsync(_placement.Release(participantId), [participantId], reason, notify, failedNode: null);
        await AfterChangeAsync(reason);
        return true;
    }

    /// <summary>A waiting participant goes: it held no media, so there is nothing to release and no participant history.</summary>
    private async Task RemoveWaitingAsync(string participantId, string reason, bool notify)
    {
        _waiting = _waiting.Remove(participantId);
        _dirty = true;
        if (_lobby is not null) await CarryOutAsync(_lobby.Leave(participantId));
        if (notify) _ = NotifyAsync(participantId, reason);
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
                p.TranscodingNode, p.TranscodingLocation, details.JoinedAt, now, (now - details.JoinedAt).TotalSeconds, reason,
                details.Leg, _leavingQuality.GetValueOrDefault(id)));
            events.ParticipantDisconnected(ParticipantEvents.Of(Name, p, details), now, reason);
            // A participant whose signalling node failed has no call leg left to tell.
            if (notify && p.SignalingNode != failedNode)
                _ = NotifyAsync(id, reason);
        }

        var inUse = _placement.Participants.Values
            .SelectMany(p => new[] { p.SignalingNode, p.MediaProxyNode, p.TranscodingNode }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        _nodeSilos = _nodeSilos.Where(kv => inUse.Contains(kv.Key)).ToImmutableDictionary();
        _dirty = true;

        // The lobby hears of it: the last Host going starts the Guests-only timer (R-HG-5), or ends it at once.
        if (_lobby is not null)
            foreach (var id in removed)
                await CarryOutAsync(_lobby.Leave(id));
    }

    /// <summary>
    /// After every change: an instance with nobody in it and nobody waiting has ended; otherwise its record is written
    /// (if the placement changed) and the lobby timer follows <see cref="HostedConference.NextDueAt"/>.
    /// </summary>
    private async Task AfterChangeAsync(string reason)
    {
        if (_placement is not null) await FollowMediaNodesAsync();
        if (_running && IsIdle) await EndAsync(_endReason ?? reason, time.GetUtcNow());
        else if (_running && _dirty) await PersistAsync();
        if (_running) await SyncDeadlineReminderAsync(_lobby?.NextDeadline);
        ScheduleLobbyTimer();
        LingerIfEmpty();
    }

    private bool IsIdle => (_placement is null || _placement.IsEmpty) && _waiting.IsEmpty;

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
        events.ConferenceEnded(new ConferenceEventInfo(Name, _startedAt, _participantsEver), now, reason == ParticipantLeft ? "Last participant left" : reason);
        await history.WriteAsync(new ConferenceHistoryRecord(
            Guid.NewGuid().ToString("N"), Name, _startedAt, now, (now - _startedAt).TotalSeconds, _participantsEver, _nodesUsed.ToList(),
            reason == ParticipantLeft ? "Last participant left" : reason));
        await TryDeleteStateAsync();
        _nodesUsed = [];
        _participantsEver = 0;
        _running = false;
        _lobby = null;
        _layout = null;
        _waiting = ImmutableDictionary<string, WaitingParticipant>.Empty;
        _endReason = null;
        _dirty = false;
        ScheduleLobbyTimer();
        LingerIfEmpty();
    }

    // ---- the lobby: Host/Guest rules, lock, mute, DTMF ----

    private HostedConference NewLobby() =>
        new(_pins, options.HostedConference(configuration.Current.Global), DtmfConferenceControl.Default, time);

    /// <summary>The lobby the lost activation persisted, with the room's current PIN policy.</summary>
    private void RestoreLobby(HostedConferenceState saved)
    {
        if (configuration.Current.Conferences.GetValueOrDefault(Name) is { } room) _pins = PinPolicy.For(room);
        _lobby = HostedConference.Restore(saved, _pins, options.HostedConference(configuration.Current.Global), DtmfConferenceControl.Default, time);
    }

    /// <summary>
    /// A fresh lobby for the participants the placement holds, when there is no lobby to restore (a state written before
    /// the lobby was persisted, or a lobby that ended while participants remained): Hosts first, then Guests, who are let
    /// in even without a Host, as they were. The actions are not carried out again.
    /// </summary>
    private void RebuildLobby()
    {
        if (configuration.Current.Conferences.GetValueOrDefault(Name) is { } room) _pins = PinPolicy.For(room);
        _lobby = NewLobby();
        var details = _placement!.Participants.Keys
            .Select(id => _participants.GetValueOrDefault(id) ?? new ParticipantDetails(id, null, ParticipantRole.Host, _startedAt))
            .OrderBy(p => p.Role == ParticipantRole.Host ? 0 : 1).ThenBy(p => p.JoinedAt);
        foreach (var p in details)
        {
            var kind = p.Media?.AudioOnly == true ? CallKind.AudioOnly : CallKind.Video;
            if (!_lobby.Arrive(p.ParticipantId, p.Role, kind).JoinsNow) _lobby.Admit(p.ParticipantId);
        }
    }

    /// <summary>
    /// The lobby's own rule (<see cref="HostedConference"/>'s MustWait), read before it is asked, so a caller who joins
    /// now is allocated media first and a capacity rejection leaves the lobby untouched.
    /// R-LOCK-3: a Host PIN gets in whatever the lock. R-LOCK-2: without a Host PIN the lock holds every caller; invitees
    /// with role Host join at once. Guests wait while locked or until the meeting has started (R-HG-1, R-HG-3).
    /// </summary>
    private bool MustWait(HostedConference lobby, JoinRequest request) => request.Role == ParticipantRole.Host
        ? lobby.IsLocked && !_pins.RequiresPinEntry && request.Arrival == ArrivalKind.Caller
        : lobby.IsLocked || !lobby.HasStarted;

    private void StartRunning()
    {
        if (_running) return;
        _running = true;
        _startedAt = time.GetUtcNow();
        events.ConferenceStarted(new ConferenceEventInfo(Name, _startedAt, _participants.Count));
    }

    /// <summary>A Host's control (API or DTMF) on a running conference: false when none is running.</summary>
    private async Task<bool> ControlAsync(Func<HostedConference, IReadOnlyList<ConferenceAction>> command)
    {
        await DropFailedNodesAsync();
        if (!_running || _lobby is null || _lobby.HasEnded)
        {
            LingerIfEmpty();
            return false;
        }
        var guestsMuted = _lobby.GuestsMuted;
        await CarryOutAsync(command(_lobby));
        // Mute all Guests (API or *5) is a conference-level setting, later Guests too (R-MUTE-2): its watchers see it change.
        if (_lobby is { } lobby && lobby.GuestsMuted != guestsMuted)
            events.ConferenceUpdated(new ConferenceEventInfo(Name, _startedAt, _participants.Count, lobby.IsLocked, lobby.GuestsMuted));
        _dirty = true;
        await AfterChangeAsync(ParticipantLeft);
        return true;
    }

    /// <summary>Carries out what the lobby asked, in order; call legs are told one-way (they never wait back on us).</summary>
    private async Task CarryOutAsync(IReadOnlyList<ConferenceAction> actions)
    {
        // Prompts change nothing worth writing (a restored lobby repeats them anyway); every other action changes the lobby.
        if (actions.Any(a => a is not (ConferenceAction.PlayPrompt or ConferenceAction.AlertHosts))) _dirty = true;
        foreach (var action in actions)
        {
            switch (action)
            {
                case ConferenceAction.JoinConference join when _waiting.ContainsKey(join.ParticipantId):
                    await AdmitWaitingAsync(join.ParticipantId);
                    break;
                case ConferenceAction.JoinConference:
                    break; // the arriving caller: its media is placed already
                case ConferenceAction.PlayPrompt prompt:
                    Tell(prompt.ParticipantId, leg => leg.Prompt(Name, prompt.PromptId));
                    break;
                case ConferenceAction.AlertHosts alert:
                    foreach (var host in alert.Hosts)
                        Tell(host, leg => leg.Prompt(Name, alert.PromptId));
                    break;
                case ConferenceAction.SetMuted mute:
                    Tell(mute.ParticipantId, leg => leg.Muted(Name, mute.Muted));
                    if (ParticipantEvents.Of(Name, _placement, _participants, mute.ParticipantId, mute.Muted) is { } muted) events.ParticipantUpdated(muted);
                    break;
                case ConferenceAction.LockChanged locked:
                    logger.LogInformation("Conference {Conference} {Lock} ({Waiting} waiting)", Name, locked.Locked ? "locked" : "unlocked", locked.Waiting);
                    events.ConferenceUpdated(new ConferenceEventInfo(Name, _startedAt, _participants.Count, IsLocked: locked.Locked, GuestsMuted: _lobby?.GuestsMuted == true));
                    break;
                case ConferenceAction.Disconnect disconnect:
                    await DisconnectForLobbyAsync(disconnect.ParticipantId, disconnect.Reason.Text);
                    break;
                case ConferenceAction.EndConference end:
                    await EndConferenceAsync(end.Reason.Text);
                    break;
            }
        }
    }

    /// <summary>
    /// A waiting participant is let in: media exactly as a direct join (limit, capacity, three nodes, reservations).
    /// Without capacity now, the call is disconnected with the allocator's message, "capacity exceeded" (L2054).
    /// </summary>
    private async Task AdmitWaitingAsync(string participantId)
    {
        var waiting = _waiting[participantId];
        _waiting = _waiting.Remove(participantId);
        var room = configuration.Current.Conferences.GetValueOrDefault(Name);
        var result = await PlaceAsync(waiting.Request, room);
        if (result.Accepted)
        {
            Tell(participantId, leg => leg.Admitted(Name, result));
            return;
        }
        logger.LogInformation("Conference {Conference}: waiting {Participant} let in but not placed: {Message}", Name, participantId, result.Message);
        if (_lobby is not null) await CarryOutAsync(_lobby.Leave(participantId));
        _ = NotifyAsync(participantId, result.Message ?? "capacity exceeded");
    }

    /// <summary>The lobby ended one call (reject, Waiting-for-Host timeout); it has already forgotten it.</summary>
    private async Task DisconnectForLobbyAsync(string participantId, string reason)
    {
        if (_waiting.ContainsKey(participantId))
            await RemoveWaitingAsync(participantId, reason, notify: true);
        else if (_placement?.Participants.ContainsKey(participantId) == true)
            await ApplyRemovalAsync(_placement.Release(participantId), [participantId], reason, notify: true, failedNode: null);
    }

    /// <summary>The conference is over (## from a Host, the Guests-only timeout, the backstop): every leg is told, waiting or in.</summary>
    private async Task EndConferenceAsync(string reason)
    {
        _endReason ??= reason;
        logger.LogInformation("Conference {Conference} ends: {Reason}", Name, reason);
        foreach (var id in _waiting.Keys.ToList())
            await RemoveWaitingAsync(id, reason, notify: true);
        foreach (var id in _placement?.Participants.Keys.ToList() ?? [])
        {
            if (_placement!.Participants.ContainsKey(id))
                await ApplyRemovalAsync(_placement.Release(id), [id], reason, notify: true, failedNode: null);
        }
    }

    /// <summary>One grain timer, at the lobby's next due moment: prompt repeats, Waiting-for-Host and Guests-only timeouts.</summary>
    private void ScheduleLobbyTimer()
    {
        var due = _running && _lobby is { HasEnded: false } ? _lobby.NextDueAt : null;
        if (due == _lobbyTimerDue && (due is null || _lobbyTimer is not null)) return;
        _lobbyTimer?.Dispose();
        _lobbyTimer = null;
        _lobbyTimerDue = due;
        if (due is null) return;
        var delay = due.Value - time.GetUtcNow();
        _lobbyTimer = this.RegisterGrainTimer(OnLobbyTimerAsync, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private async Task OnLobbyTimerAsync(CancellationToken cancellationToken)
    {
        _lobbyTimer?.Dispose();
        _lobbyTimer = null;
        _lobbyTimerDue = null;
        await DropFailedNodesAsync();
        await DropWaitingOnGoneNodesAsync();
        if (_running && _lobby is { HasEnded: false } lobby)
            await CarryOutAsync(lobby.Tick());
        await AfterChangeAsync(ParticipantLeft);
    }

    /// <summary>
    /// Waiting calls hold no media, so node failures (which follow the nodes the placement uses) do not reach them:
    /// on each lobby tick, a waiting call whose signalling node is no longer a live node is dropped (and told, in case
    /// this silo's view merely lags).
    /// </summary>
    private async Task DropWaitingOnGoneNodesAsync()
    {
        if (_waiting.IsEmpty) return;
        var live = clusterNodes.Live().Select(n => n.Node.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, waiting) in _waiting.Where(kv => !live.Contains(kv.Value.Request.SignalingNode)).ToList())
            await RemoveWaitingAsync(id, $"Conferencing Node {waiting.Request.SignalingNode} failed", notify: true);
    }

    /// <summary>A one-way notice to a call leg; its silo may be gone, which is no concern of the conference.</summary>
    private void Tell(string participantId, Func<IParticipantGrain, Task> notice)
    {
        Task sent;
        try
        {
            sent = notice(GrainFactory.GetGrain<IParticipantGrain>(participantId));
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Could not send a notice to {Participant}", participantId);
            return;
        }
        _ = sent.ContinueWith(t => logger.LogDebug(t.Exception, "Notice to {Participant} failed", participantId), TaskContinuationOptions.OnlyOnFaulted);
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
    private void OnMembershipChanged(ClusterMembershipSnapshot snapshot)
    {
        foreach (var (node, silo) in Volatile.Read(ref _nodeSilos))
        {
            if (snapshot.GetSiloStatus(silo).IsTerminating() && !IsThisSilo(silo))
                _ = _self.NodeFailed(node).ContinueWith(
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
    private bool IsThisSilo(SiloAddress silo) => silo.Equals(localSilo.SiloAddress);

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
    /// Writes the instance's state. While this activation lives its memory is the truth, so a failed write is logged,
    /// not thrown: the call it records is admitted (or gone) either way, and the next change writes again.
    /// </summary>
    private async Task PersistAsync()
    {
        try
        {
            _dirty = false;
            if (!_listedAsRunning)
            {
                await running.StartedAsync(Name, _startedAt);
                _listedAsRunning = true;
            }
            state.State = CurrentState();
            await WriteStateAsync();
        }
        catch (Exception ex)
        {
            _dirty = true;
            logger.LogWarning(ex, "Conference {Conference}: could not write its state", Name);
        }
    }

    private async Task WriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException ex)
        {
            // Only a stale record of an earlier activation can be in the way (the directory keeps this one single): replace it.
            logger.LogWarning(ex, "Conference {Conference}: replacing a state record written by an earlier activation", Name);
            var mine = state.State;
            await state.ReadStateAsync();
            state.State = mine;
            await state.WriteStateAsync();
        }
    }

    private ConferenceInstanceState CurrentState()
    {
        var placement = _placement ?? ConferencePlacement.Start(Name, ConferenceMediaPolicy.HdWithPresentation);
        return new ConferenceInstanceState(
            Name, _startedAt, placement.MediaPolicy, placement.HostingNodes.Values.ToList(), placement.Participants.Values.ToList(),
            _participants.Values.ToList(), _nodeSilos.ToDictionary(kv => kv.Key, kv => kv.Value.ToParsableString()), _nodesUsed.ToList(),
            _participantsEver, _lobby?.Snapshot(), _waiting.Values.ToList(), _reminderDue, _layout);
    }

    /// <summary>True when no state and no running record are left in the store.</summary>
    private async Task<bool> TryDeleteStateAsync()
    {
        try
        {
            if (state.RecordExists) await state.ClearStateAsync();
            if (_listedAsRunning)
            {
                await running.EndedAsync(Name);
                _listedAsRunning = false;
            }
            await SyncDeadlineReminderAsync(null);
            return true;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Conference {Conference}: could not delete its state; retrying before it deactivates", Name);
            return false;
        }
    }

    // ---- deadlines that outlive the silo ----

    private const string DeadlineReminder = "lobby-deadline";

    /// <summary>
    /// Keeps one reminder at the lobby's next deadline (<see cref="HostedConference.NextDeadline"/>): the grain timer does
    /// the work while this activation lives; the reminder wakes the conference on a survivor, from its state, if the
    /// silo dies first. Only a changed deadline costs a write.
    /// </summary>
    private async Task SyncDeadlineReminderAsync(DateTimeOffset? deadline)
    {
        if (deadline == _reminderDue) return;
        try
        {
            if (deadline is null)
            {
                if (await this.GetReminder(DeadlineReminder) is { } reminder) await this.UnregisterReminder(reminder);
            }
            else
            {
                var due = deadline.Value - time.GetUtcNow();
                await this.RegisterOrUpdateReminder(DeadlineReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, options.DeadlineReminderPeriod);
            }
            _reminderDue = deadline;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Conference {Conference}: could not set its deadline reminder", Name);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineReminder) return;
        _reminderDue = null; // whatever is due now runs; the next deadline gets a fresh registration
        await OnLobbyTimerAsync(CancellationToken.None);
        if (!_running) await SyncDeadlineReminderAsync(null);
    }
}
