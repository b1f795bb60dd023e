using Orleans;
using Orleans.Concurrency;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Operations.Alarms;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>What the controller sees at one tick: the configuration, the live overflow nodes and every location's load.</summary>
/// <param name="LiveNodes">Nodes whose silo is up, with how many conferences each hosts.</param>
public sealed record BurstingWorld(
    GlobalSettings Global,
    IReadOnlyList<SystemLocation> Locations,
    IReadOnlyList<ConferencingNode> Nodes,
    IReadOnlyDictionary<string, int> LiveNodes,
    IReadOnlyDictionary<string, LocationLoad> Loads);

/// <summary>An overflow node the controller follows: its state and when it was started (or entered that state).</summary>
[GenerateSerializer, Immutable, Alias("cc.TrackedOverflowNode")]
public sealed record TrackedOverflowNode(string Name, OverflowNodeState State, DateTimeOffset StartedAt);

/// <summary>
/// Carries out the <see cref="BurstingPolicy"/> against an <see cref="IOverflowNodeProvider"/>: lists the tagged instances,
/// works out each overflow node's state, starts and stops what the plan says, writes Conferencing Node History and
/// raises and lowers the cloud bursting alarms (L15433–15444). Not thread-safe: its grain calls it one turn at a time.
/// </summary>
/// <remarks>
/// Which start it made and when is kept in memory. A controller that moved to another silo treats a running overflow
/// node it did not start as started when it first sees it, so the node gets at least a full minimum lifetime.
/// </remarks>
public sealed class BurstingController(
    IOverflowNodeProvider provider,
    AlarmRegistry alarms,
    NodeStatusHistory history,
    BurstingOptions options,
    string controllerNode,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// The <c>node</c> of the bursting alarms: the cluster's controller (Pexip's Management Node), whichever silo runs it,
    /// so a controller that moved still lowers the alarms its predecessor raised.
    /// </summary>
    public const string AlarmNode = "cloud-bursting";

    private static readonly AlarmKind[] ProviderAlarms =
    [
        AlarmCatalogue.BurstingAuthenticationFailure, AlarmCatalogue.BurstingUnauthorizedInstance,
        AlarmCatalogue.BurstingUnauthorizedRegion, AlarmCatalogue.BurstingError,
    ];

    /// <param name="StartedAt">For a running or starting node, when it was started; otherwise when it entered its state.</param>
    private sealed record Tracked(OverflowNodeState State, DateTimeOffset StartedAt);

    private readonly Dictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);

    /// <summary>Which overflow node it started when, for its grain's persisted state: a minimum lifetime survives the controller's silo.</summary>
    public IReadOnlyList<TrackedOverflowNode> Tracking =>
        _tracked.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new TrackedOverflowNode(kv.Key, kv.Value.State, kv.Value.StartedAt)).ToList();

    /// <summary>Takes over what a controller on another silo knew (its persisted <see cref="Tracking"/>).</summary>
    public void Restore(IEnumerable<TrackedOverflowNode> tracking)
    {
        foreach (var node in tracking)
            _tracked[node.Name] = new Tracked(node.State, node.StartedAt);
    }
    private IReadOnlyList<CloudInstance> _instances = [];

    public BurstingStatus Status { get; private set; } = BurstingStatus.Empty(time.GetUtcNow());

    public async Task<BurstingStatus> TickAsync(BurstingWorld world, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var issues = new List<string>();
        var listed = await ListInstancesAsync(issues, cancellationToken).ConfigureAwait(false);
        var bursting = world.Nodes.Where(n => n.IsCloudBurstingNode).ToDictionary(n => n.Name, StringComparer.Ordinal);
        await CheckMissingNodesAsync(bursting, issues, cancellationToken).ConfigureAwait(false);

        var byName = _instances.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var states = new List<OverflowNode>();
        foreach (var node in bursting.Values)
        {
            var state = await StateOfAsync(node, byName.GetValueOrDefault(node.Name), world, now, cancellationToken).ConfigureAwait(false);
            states.Add(state);
        }

        var plan = BurstingPolicy.Evaluate(new BurstingInputs(BurstingSettings.From(world.Global), world.Locations, world.Nodes, states, world.Loads), now);
        if (listed)
        {
            foreach (var start in plan.Starts)
                await StartAsync(byName[start.Node], start.Location, start.Reason, cancellationToken).ConfigureAwait(false);
            foreach (var stop in plan.Stops)
            {
                if (byName.TryGetValue(stop.Node, out var instance))
                    await StopAsync(instance, stop.Location, stop.Reason, cancellationToken).ConfigureAwait(false);
                else
                    issues.Add($"{stop.Node} is {BurstingPolicy.NoLongerNeeded}, but no instance carries it: stop it by hand");
            }
        }
        await SyncLocationAlarmsAsync(plan, cancellationToken).ConfigureAwait(false);
        issues.AddRange(plan.Issues.Select(i => i.Message));

        Status = new BurstingStatus(now, world.Global.EnableBurstingToTheCloud, world.Global.BurstingThresholdHdCalls, plan.Principals, plan.OverflowLocations,
            bursting.Values.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n =>
            {
                var instance = byName.GetValueOrDefault(n.Name);
                var tracked = _tracked.GetValueOrDefault(n.Name);
                var state = tracked?.State ?? OverflowNodeState.NotRunning;
                return new OverflowNodeStatus(n.Name, n.SystemLocation, state, instance?.Id, instance?.Address,
                    state is OverflowNodeState.Running or OverflowNodeState.Starting ? tracked?.StartedAt : null,
                    world.LiveNodes.GetValueOrDefault(n.Name) > 0);
            }).ToList(),
            issues);
        return Status;
    }

    /// <summary>The API's <c>start_cloudnode</c> (AZ:679): starts the node now; the normal stop rule applies to it later (AZ:675).</summary>
    public async Task<ManualStartOutcome> StartManuallyAsync(string nodeName, IReadOnlyList<ConferencingNode> nodes, CancellationToken cancellationToken = default)
    {
        if (nodes.FirstOrDefault(n => n.Name == nodeName && n.IsCloudBurstingNode) is not { } node)
            return ManualStartOutcome.UnknownNode;
        if (_tracked.TryGetValue(nodeName, out var tracked) && tracked.State is OverflowNodeState.Running or OverflowNodeState.Starting)
            return ManualStartOutcome.AlreadyRunning;
        var issues = new List<string>();
        if (!await ListInstancesAsync(issues, cancellationToken).ConfigureAwait(false))
            return ManualStartOutcome.ProviderFailed;
        if (_instances.FirstOrDefault(i => i.Name == nodeName) is not { } instance)
            return ManualStartOutcome.NoInstance;
        return await StartAsync(instance, node.SystemLocation, "manual start", cancellationToken).ConfigureAwait(false)
            ? ManualStartOutcome.Started
            : ManualStartOutcome.ProviderFailed;
    }

    private async Task<OverflowNode> StateOfAsync(ConferencingNode node, CloudInstance? instance, BurstingWorld world, DateTimeOffset now, CancellationToken ct)
    {
        var live = world.LiveNodes.TryGetValue(node.Name, out var conferences);
        var tracked = _tracked.GetValueOrDefault(node.Name);
        Tracked next;
        if (live && tracked?.State is OverflowNodeState.NotRunning or OverflowNodeState.Stopping && now - tracked.StartedAt < options.TickInterval * 4)
        {
            // Just stopped: membership takes a moment to see the silo leave; it is not back.
            next = tracked;
        }
        else if (live)
        {
            next = new Tracked(OverflowNodeState.Running, tracked?.StartedAt ?? now);
            if (tracked?.State != OverflowNodeState.Running)
                await history.RecordAsync(node.Name, node.SystemLocation, NodeStatusEvents.Running,
                    tracked is null ? "found running" : "joined the cluster", cancellationToken: ct).ConfigureAwait(false);
        }
        else if (tracked?.State == OverflowNodeState.Starting)
        {
            next = tracked;
            if (now - tracked.StartedAt > options.StartTimeout && instance is not null)
            {
                await alarms.RaiseAsync(AlarmCatalogue.BurstingError, controllerNode, node.Name,
                    $"{node.Name} did not join the cluster within {options.StartTimeout} of its start", ct).ConfigureAwait(false);
                await StopAsync(instance, node.SystemLocation, $"did not join the cluster within {options.StartTimeout}", ct).ConfigureAwait(false);
                next = _tracked.GetValueOrDefault(node.Name) ?? new Tracked(OverflowNodeState.NotRunning, now);
            }
        }
        else if (instance?.State is CloudInstanceState.Starting or CloudInstanceState.Running)
        {
            // Started outside the controller (by hand, or by a controller that moved): it is booting.
            next = new Tracked(OverflowNodeState.Starting, tracked?.StartedAt ?? now);
        }
        else
        {
            var state = instance?.State == CloudInstanceState.Stopping ? OverflowNodeState.Stopping : OverflowNodeState.NotRunning;
            next = tracked?.State == state ? tracked : new Tracked(state, now);
        }
        _tracked[node.Name] = next;
        // A node with no instance behind it cannot be started.
        return new OverflowNode(node.Name, node.SystemLocation, next.State, next.StartedAt, conferences > 0, Startable: instance is not null);
    }

    private async Task<bool> StartAsync(CloudInstance instance, string location, string reason, CancellationToken ct)
    {
        if (!await CallProviderAsync(() => provider.StartAsync(instance, ct), ct).ConfigureAwait(false))
            return false;
        // The lifetime counts from when the provider started it, the time its history shows.
        var started = time.GetUtcNow();
        _tracked[instance.Name] = new Tracked(OverflowNodeState.Starting, started);
        await history.RecordAsync(instance.Name, location, NodeStatusEvents.Start, reason, started, ct).ConfigureAwait(false);
        return true;
    }

    private async Task StopAsync(CloudInstance instance, string location, string reason, CancellationToken ct)
    {
        if (!await CallProviderAsync(() => provider.StopAsync(instance, ct), ct).ConfigureAwait(false))
            return;
        _tracked[instance.Name] = new Tracked(OverflowNodeState.NotRunning, time.GetUtcNow());
        await history.RecordAsync(instance.Name, location, NodeStatusEvents.Stop, reason, cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary>Lists the tagged instances; on failure keeps the last list, raises the alarm and returns false (no node changes, S14).</summary>
    private async Task<bool> ListInstancesAsync(List<string> issues, CancellationToken ct)
    {
        IReadOnlyList<CloudInstance> all = [];
        var ok = await CallProviderAsync(async () => all = await provider.ListAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        if (!ok)
        {
            issues.Add("the cloud provider could not be reached; see the bursting alarms");
            return false;
        }
        // Only instances tagged pexip-cloud = our tag value are ours (L16353, S12b).
        _instances = all.Where(i => i.TagValue == options.TagValue).ToList();
        return true;
    }

    /// <summary>Runs one provider call; maps its failure to the alarm of its kind (S14), and lowers those alarms on success.</summary>
    private async Task<bool> CallProviderAsync(Func<Task> call, CancellationToken ct)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var kind = ex is BurstingProviderException failure ? failure.Kind : BurstingFailureKind.Other;
            var alarm = kind switch
            {
                BurstingFailureKind.Authentication => AlarmCatalogue.BurstingAuthenticationFailure,
                BurstingFailureKind.UnauthorizedInstance => AlarmCatalogue.BurstingUnauthorizedInstance,
                BurstingFailureKind.UnauthorizedRegion => AlarmCatalogue.BurstingUnauthorizedRegion,
                _ => AlarmCatalogue.BurstingError,
            };
            logger.LogError(ex, "administrator.apps.cloudbursting provider call failed ({Kind})", kind);
            await alarms.RaiseAsync(alarm, controllerNode, "cloud provider", ex.Message, ct).ConfigureAwait(false);
            return false;
        }
        foreach (var alarm in ProviderAlarms)
            await alarms.LowerAsync(alarm, controllerNode, "cloud provider", ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>S12a: a tagged instance no bursting node is configured for (L16354); lowered once it is configured.</summary>
    private async Task CheckMissingNodesAsync(IReadOnlyDictionary<string, ConferencingNode> bursting, List<string> issues, CancellationToken ct)
    {
        var missing = _instances.Where(i => !bursting.ContainsKey(i.Name)).ToList();
        foreach (var instance in missing)
        {
            var text = $"Instance {instance.Name} (with IP {instance.Address ?? "unknown"}) was found, but no corresponding Conferencing Node has been configured";
            issues.Add(text);
            await alarms.RaiseAsync(AlarmCatalogue.BurstingMissingNode, controllerNode, instance.Name, text, ct).ConfigureAwait(false);
        }
        var missingNames = missing.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        await alarms.LowerAllAsync(AlarmCatalogue.BurstingMissingNode, a => a.Node == controllerNode && !missingNames.Contains(a.Instance), ct).ConfigureAwait(false);
    }

    /// <summary>S13: <c>bursting_no_location_overflow</c> for each overflow location nobody uses as Primary overflow (L15444).</summary>
    private async Task SyncLocationAlarmsAsync(BurstingPlan plan, CancellationToken ct)
    {
        var unused = plan.OverflowLocations.Where(o => !o.UsedAsPrimaryOverflow).Select(o => o.Location).ToHashSet(StringComparer.Ordinal);
        foreach (var location in unused)
            await alarms.RaiseAsync(AlarmCatalogue.BurstingNoLocationOverflow, controllerNode, location,
                $"location {location} contains cloud bursting nodes, but no other location uses it as its primary overflow location", ct).ConfigureAwait(false);
        await alarms.LowerAllAsync(AlarmCatalogue.BurstingNoLocationOverflow, a => a.Node == controllerNode && !unused.Contains(a.Instance), ct).ConfigureAwait(false);
    }
}
