using ConferenceCluster.Conferencing.Allocation;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Tests;

/// <summary>
/// Plays the grains' part around the domain classes: NodeGrains as <see cref="NodeCapacityLedger"/>s, ConferenceGrains
/// as <see cref="ConferencePlacement"/>s, and the join flow allocate → reserve → admit.
/// </summary>
internal sealed class SimulatedCluster
{
    public const string OtherConference = "(other conferences)";

    public Dictionary<string, SystemLocation> Locations { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ConferencingNode> Nodes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, NodeCapacityLedger> Ledgers { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ConferencePlacement> Conferences { get; } = new(StringComparer.Ordinal);
    public PlacementChange? LastChange { get; private set; }

    public SimulatedCluster Location(string name, string? transcoding = null, string? primary = null, string? secondary = null)
    {
        Locations[name] = new SystemLocation(name)
        {
            TranscodingLocation = transcoding,
            PrimaryOverflowLocation = primary,
            SecondaryOverflowLocation = secondary,
        };
        return this;
    }

    public SimulatedCluster Node(string name, string location, NodeRole role, CapacityUnits capacity, bool maintenance = false)
    {
        Nodes[name] = new ConferencingNode(name, location, role, capacity) { MaintenanceMode = maintenance };
        Ledgers[name] = new NodeCapacityLedger(capacity) { MaintenanceMode = maintenance };
        return this;
    }

    public SimulatedCluster Transcoding(string name, string location, int hdCalls, bool maintenance = false) =>
        Node(name, location, NodeRole.Transcoding, CapacityUnits.FromHdCalls(hdCalls), maintenance);

    public SimulatedCluster Proxying(string name, string location, int audioCalls = 1000) =>
        Node(name, location, NodeRole.Proxying, CapacityUnits.FromAudioCalls(audioCalls));

    public void SetMaintenance(string node, bool on)
    {
        Nodes[node] = Nodes[node] with { MaintenanceMode = on };
        Ledgers[node].MaintenanceMode = on;
    }

    /// <summary>Load from conferences the test does not follow.</summary>
    public void LoadFromOtherConferences(string node, CapacityUnits units)
    {
        var ledger = Ledgers[node];
        var maintenance = ledger.MaintenanceMode;
        ledger.MaintenanceMode = false;
        Assert.True(ledger.TryReserve(OtherConference, units), $"{node} cannot take {units} of other load");
        ledger.MaintenanceMode = maintenance;
    }

    /// <summary>Fills a node completely with load from other conferences.</summary>
    public void FillWithOtherConferences(string node) => LoadFromOtherConferences(node, Ledgers[node].Available);

    public void ReleaseOtherConferences(string node, CapacityUnits units) => Ledgers[node].Release(OtherConference, units);

    public ClusterSnapshot Snapshot() =>
        new(Locations.Values, Nodes.Values.Select(n => new NodeStatus(n, Ledgers[n.Name].Load)));

    public ConferencePlacement Conference(string name, ConferenceMediaPolicy? policy = null)
    {
        if (!Conferences.TryGetValue(name, out var placement))
            Conferences[name] = placement = ConferencePlacement.Start(name, policy ?? ConferenceMediaPolicy.HdWithPresentation);
        return placement;
    }

    /// <summary>What a ConferenceGrain does for a new participant: allocate, reserve on every node, admit.</summary>
    public MediaAllocationDecision Join(string conference, string participant, string signalingNode, CallMedia? media = null,
        IReadOnlyList<string>? policyMediaLocations = null)
    {
        var placement = Conference(conference);
        var decision = MediaAllocator.Allocate(Snapshot(), placement,
            new MediaAllocationRequest(participant, signalingNode, media ?? CallMedia.Video, policyMediaLocations));
        if (decision is MediaAllocated allocated)
        {
            // Single-threaded here, so every reservation the allocator asked for must succeed.
            foreach (var reservation in allocated.Reservations)
                Assert.True(Ledgers[reservation.NodeName].TryReserve(conference, reservation.Units),
                    $"{reservation.NodeName} refused {reservation.Units} that the allocator chose");
            LastChange = placement.Admit(allocated);
            Conferences[conference] = LastChange.After;
        }
        return decision;
    }

    public MediaAllocated Admit(string conference, string participant, string signalingNode, CallMedia? media = null)
    {
        var decision = Join(conference, participant, signalingNode, media);
        return Assert.IsType<MediaAllocated>(decision);
    }

    public PlacementChange Leave(string conference, string participant)
    {
        var change = Conferences[conference].Release(participant);
        foreach (var release in change.Released) Ledgers[release.NodeName].Release(conference, release.Units);
        Conferences[conference] = change.After;
        LastChange = change;
        return change;
    }

    public CapacityUnits Available(string node) => Ledgers[node].Available;
}
