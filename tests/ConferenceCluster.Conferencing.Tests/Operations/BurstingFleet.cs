using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Conferencing.Tests.Services;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// The controller's side of the policy for the section 5 scenarios: a platform configuration, overflow nodes that take
/// <see cref="BootTime"/> from start to running, and the available HD each location reports at each tick. Every tick
/// evaluates the policy at the clock's time and carries out its plan, keeping every start and stop it made.
/// </summary>
internal sealed class BurstingFleet
{
    public ManualClock Clock { get; } = new();
    public TimeSpan BootTime { get; set; } = TimeSpan.FromMinutes(5);
    public BurstingSettings Settings { get; set; } = new(Enabled: true, ThresholdHdCalls: 5, MinimumLifetime: TimeSpan.FromMinutes(50));
    public List<SystemLocation> Locations { get; } = [];
    public List<ConferencingNode> Nodes { get; } = [];
    public Dictionary<string, OverflowNode> States { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, LocationLoad> Loads { get; } = new(StringComparer.Ordinal);
    public List<(TimeSpan At, NodeAction Action)> Started { get; } = [];
    public List<(TimeSpan At, NodeAction Action)> Stopped { get; } = [];
    public BurstingPlan LastPlan { get; private set; } = null!;

    public TimeSpan Now => Clock.GetUtcNow() - ManualClock.Epoch;

    /// <summary>London (2 always-on × 20 HD) overflowing to Burst-EU (stopped burst nodes A and B × 20 HD): the section 5 fixture.</summary>
    public static BurstingFleet LondonAndBurstEu() => new BurstingFleet()
        .Location("London", primaryOverflow: "Burst-EU").Location("Burst-EU")
        .AlwaysOn("London-1", "London").AlwaysOn("London-2", "London")
        .Burst("A", "Burst-EU").Burst("B", "Burst-EU");

    public BurstingFleet Location(string name, string? primaryOverflow = null, string? secondaryOverflow = null, string? transcoding = null)
    {
        Locations.Add(new SystemLocation(name) { PrimaryOverflowLocation = primaryOverflow, SecondaryOverflowLocation = secondaryOverflow, TranscodingLocation = transcoding });
        return this;
    }

    public BurstingFleet AlwaysOn(string name, string location, int hdCalls = 20)
    {
        Nodes.Add(new ConferencingNode(name, location, NodeRole.Transcoding, CapacityUnits.FromHdCalls(hdCalls)));
        return this;
    }

    public BurstingFleet Burst(string name, string location, int hdCalls = 20)
    {
        Nodes.Add(new ConferencingNode(name, location, NodeRole.Transcoding, CapacityUnits.FromHdCalls(hdCalls)) { IsCloudBurstingNode = true });
        return this;
    }

    /// <summary>What a location reports: its available HD, and whether it carries any media.</summary>
    public BurstingFleet Load(string location, long availableHd, bool hasMedia = true)
    {
        Loads[location] = new LocationLoad(location, availableHd, hasMedia);
        return this;
    }

    public void Hosting(string node, bool hosting) => States[node] = States[node] with { HostingConferences = hosting };

    public OverflowNodeState StateOf(string node) => States.TryGetValue(node, out var s) ? s.State : OverflowNodeState.NotRunning;

    /// <summary>The API's manual start (start_cloudnode): the node starts now, whatever the load.</summary>
    public void StartManually(string node)
    {
        var location = Nodes.Single(n => n.Name == node).SystemLocation;
        States[node] = new OverflowNode(node, location, OverflowNodeState.Starting, Clock.GetUtcNow(), false);
        Started.Add((Now, new NodeAction(node, location, "manual start")));
    }

    /// <summary>Moves the clock to <paramref name="at"/> (since the epoch) in controller ticks of <paramref name="tick"/>, evaluating at each.</summary>
    public BurstingPlan RunUntil(TimeSpan at, TimeSpan? tick = null)
    {
        var step = tick ?? TimeSpan.FromSeconds(15);
        for (var guard = 0; guard < 100_000 && Now < at; guard++)
        {
            Clock.Advance(Now + step > at ? at - Now : step);
            Tick();
        }
        return LastPlan;
    }

    public BurstingPlan Tick()
    {
        // Boot: a starting node's silo joins BootTime after its start (L2054).
        foreach (var node in States.Values.ToList())
            if (node.State == OverflowNodeState.Starting && Clock.GetUtcNow() - node.StartedAt >= BootTime)
                States[node.Name] = node with { State = OverflowNodeState.Running };

        LastPlan = BurstingPolicy.Evaluate(new BurstingInputs(Settings, Locations, Nodes, States.Values.ToList(), Loads), Clock.GetUtcNow());
        foreach (var start in LastPlan.Starts)
        {
            States[start.Node] = new OverflowNode(start.Node, start.Location, OverflowNodeState.Starting, Clock.GetUtcNow(), false);
            Started.Add((Now, start));
        }
        foreach (var stop in LastPlan.Stops)
        {
            States[stop.Node] = States[stop.Node] with { State = OverflowNodeState.NotRunning, StartedAt = null };
            Stopped.Add((Now, stop));
        }
        return LastPlan;
    }
}
