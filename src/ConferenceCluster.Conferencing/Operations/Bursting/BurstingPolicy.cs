using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <param name="StartedAt">When the start was requested: the minimum lifetime counts from here (L2069, L2103–2104).</param>
/// <param name="HostingConferences">True while any conference holds capacity on it: "idle" is "no longer hosting any conferences" (L2069).</param>
/// <param name="Startable">False when no cloud instance carries it: it is shown, but never picked to start.</param>
public sealed record OverflowNode(string Name, string Location, OverflowNodeState State, DateTimeOffset? StartedAt, bool HostingConferences, bool Startable = true);

/// <summary>A location's live transcoding capacity: available HD connections (L2119) and whether it carries any media (L2072).</summary>
public sealed record LocationLoad(string Location, long AvailableHdCalls, bool HasMediaLoad);

/// <summary>The Global Settings of bursting (L3228–3232).</summary>
public sealed record BurstingSettings(bool Enabled, int ThresholdHdCalls, TimeSpan MinimumLifetime)
{
    public static BurstingSettings From(GlobalSettings global) =>
        new(global.EnableBurstingToTheCloud, global.BurstingThresholdHdCalls, global.BurstingMinimumLifetime);
}

/// <summary>Everything one evaluation looks at.</summary>
/// <param name="Nodes">Every configured Conferencing Node; those flagged as cloud bursting nodes are the overflow pool.</param>
/// <param name="OverflowNodes">The state of each overflow node (any configured bursting node missing here is taken as not running).</param>
/// <param name="Loads">Live capacity by location; a location missing here has no live transcoding node.</param>
public sealed record BurstingInputs(
    BurstingSettings Settings,
    IReadOnlyList<SystemLocation> Locations,
    IReadOnlyList<ConferencingNode> Nodes,
    IReadOnlyList<OverflowNode> OverflowNodes,
    IReadOnlyDictionary<string, LocationLoad> Loads);

/// <summary>Why a node is started or stopped: the reason shown in Conferencing Node History (L2126).</summary>
public sealed record NodeAction(string Node, string Location, string Reason);

/// <summary>A configuration problem the Cloud Bursting status page shows instead of failing (L16357).</summary>
public sealed record BurstingIssue(string Location, string Field, string Message);

public sealed record BurstingPlan(
    IReadOnlyList<NodeAction> Starts,
    IReadOnlyList<NodeAction> Stops,
    IReadOnlyList<PrincipalLocationStatus> Principals,
    IReadOnlyList<OverflowLocationStatus> OverflowLocations,
    IReadOnlyList<BurstingIssue> Issues);

/// <summary>
/// Dynamic bursting (seed-cloud-bursting.md §1; ADM L2015–2127) as a pure function of the platform's state and the
/// time: which overflow nodes to start and stop, and what the status page shows. No clocks, no I/O: the controller
/// feeds it and carries out its plan.
/// </summary>
/// <remarks>
/// Rules, each with its seed line:
/// <list type="bullet">
/// <item>A principal location is one whose Primary overflow location holds bursting nodes (L2118); only the Primary
/// overflow location bursts, never the Secondary (L2061).</item>
/// <item>A principal location whose transcoding location's available HD is at or below the threshold (L2030, L2050) and
/// which carries media (L2072) starts one node in its Primary overflow location if none runs or starts there yet.</item>
/// <item>An overflow location with running nodes whose own available HD is at or below the threshold and which carries
/// media starts one more node, whatever the principal's free capacity (cascade, L2031, L2051–2052).</item>
/// <item>While a node of a location is starting, that location starts no other (the worked example, L2090–2091);
/// one start per location per evaluation; nodes are taken in name order (our decision: the seed is silent).</item>
/// <item>A running node that hosts no conference and has run at least the minimum lifetime is stopped, "no longer
/// needed" (L2069, L2103–2104); each node counts from its own start, manual starts included (AZ:675).</item>
/// <item>A location whose transcoding location has no always-on transcoding node is a configuration issue, not an
/// error (L16357); an overflow location nobody uses as Primary overflow is reported (L15444).</item>
/// </list>
/// </remarks>
public static class BurstingPolicy
{
    public const string NoLongerNeeded = "no longer needed";

    public static BurstingThresholdState StateOf(long availableHdCalls, int threshold) =>
        availableHdCalls <= threshold ? BurstingThresholdState.ThresholdReached
        : availableHdCalls <= threshold + 2L ? BurstingThresholdState.ApproachingThreshold
        : BurstingThresholdState.BelowThreshold;

    public static BurstingPlan Evaluate(BurstingInputs inputs, DateTimeOffset now)
    {
        var settings = inputs.Settings;
        var bursting = inputs.Nodes.Where(n => n.IsCloudBurstingNode).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var states = inputs.OverflowNodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var pool = bursting
            .Select(n => states.TryGetValue(n.Name, out var s) ? s with { Location = n.SystemLocation } : new OverflowNode(n.Name, n.SystemLocation, OverflowNodeState.NotRunning, null, false))
            .ToList();
        var overflowLocations = pool.Select(n => n.Location).ToHashSet(StringComparer.Ordinal);
        var locations = inputs.Locations.ToDictionary(l => l.Name, StringComparer.Ordinal);

        var starts = new List<NodeAction>();
        var stops = new List<NodeAction>();
        var issues = new List<BurstingIssue>();
        var principals = new List<PrincipalLocationStatus>();
        var startingIn = pool.Where(n => n.State == OverflowNodeState.Starting).Select(n => n.Location).ToHashSet(StringComparer.Ordinal);

        bool TryStart(string overflowLocation, string reason)
        {
            if (!settings.Enabled || startingIn.Contains(overflowLocation)) return false;
            var next = pool.FirstOrDefault(n => n.Location == overflowLocation && n.State == OverflowNodeState.NotRunning && n.Startable);
            if (next is null) return false; // the pool is empty: nothing more happens (seed §1.3 item 4)
            starts.Add(new NodeAction(next.Name, overflowLocation, reason));
            startingIn.Add(overflowLocation);
            return true;
        }

        LocationLoad LoadOf(string location) => inputs.Loads.TryGetValue(location, out var load) ? load : new LocationLoad(location, 0, false);

        foreach (var location in inputs.Locations.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            if (overflowLocations.Contains(location.Name)) continue;
            if (location.PrimaryOverflowLocation is not { } overflow || !overflowLocations.Contains(overflow)) continue;
            var measured = location.EffectiveTranscodingLocation;
            var alwaysOn = inputs.Nodes.Any(n => n.SystemLocation == measured && n.Role == NodeRole.Transcoding && !n.IsCloudBurstingNode);
            if (!alwaysOn)
            {
                issues.Add(new BurstingIssue(location.Name, "transcoding_location",
                    $"the transcoding location \"{measured}\" of \"{location.Name}\" contains no always-on Transcoding Conferencing Node; " +
                    "it must, for its load to trigger bursting (L16357)"));
                continue;
            }
            var load = LoadOf(measured);
            var state = StateOf(load.AvailableHdCalls, settings.ThresholdHdCalls);
            principals.Add(new PrincipalLocationStatus(location.Name, measured, overflow, load.AvailableHdCalls, state));
            var overflowActive = pool.Any(n => n.Location == overflow && n.State is OverflowNodeState.Running or OverflowNodeState.Starting);
            if (state == BurstingThresholdState.ThresholdReached && load.HasMediaLoad && !overflowActive)
                TryStart(overflow, $"principal location \"{location.Name}\" reached the bursting threshold ({load.AvailableHdCalls} HD available, threshold {settings.ThresholdHdCalls})");
        }

        var usedAsPrimary = inputs.Locations.Where(l => l.PrimaryOverflowLocation is not null).Select(l => l.PrimaryOverflowLocation!).ToHashSet(StringComparer.Ordinal);
        var overflowStatuses = new List<OverflowLocationStatus>();
        foreach (var overflow in overflowLocations.Order(StringComparer.Ordinal))
        {
            var nodes = pool.Where(n => n.Location == overflow).ToList();
            var running = nodes.Count(n => n.State == OverflowNodeState.Running);
            var load = LoadOf(overflow);
            var available = running == 0 ? 0 : load.AvailableHdCalls;
            if (running > 0 && available <= settings.ThresholdHdCalls && load.HasMediaLoad)
                TryStart(overflow, $"overflow location \"{overflow}\" reached the bursting threshold ({available} HD available, threshold {settings.ThresholdHdCalls})");
            if (!locations.ContainsKey(overflow) || !usedAsPrimary.Contains(overflow))
                issues.Add(new BurstingIssue(overflow, "overflow_location1",
                    $"location \"{overflow}\" contains cloud bursting nodes, but no other location uses it as its primary overflow location"));
            overflowStatuses.Add(new OverflowLocationStatus(overflow, available, running,
                nodes.Count(n => n.State == OverflowNodeState.Starting), nodes.Count(n => n.State == OverflowNodeState.NotRunning), usedAsPrimary.Contains(overflow)));
        }

        if (settings.Enabled)
        {
            foreach (var node in pool.Where(n => n.State == OverflowNodeState.Running && !n.HostingConferences))
                if (node.StartedAt is { } started && now - started >= settings.MinimumLifetime)
                    stops.Add(new NodeAction(node.Name, node.Location, NoLongerNeeded));
        }

        return new BurstingPlan(starts, stops, principals, overflowStatuses, issues);
    }
}
