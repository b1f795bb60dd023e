using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>The role of a Conferencing Node (R7, L4572).</summary>
[GenerateSerializer, Alias("cc.NodeRole")]
public enum NodeRole
{
    /// <summary>Transcoding Conferencing Node: hosts conferences and processes their media.</summary>
    Transcoding,
    /// <summary>Proxying Edge Node: handles signalling and the endpoint's media but hosts no conference (L753).</summary>
    Proxying,
}

/// <summary>
/// A Conferencing Node (Platform &gt; Conferencing Nodes, L4569–4590, L5352–5385). In ConferenceCluster one silo is one node.
/// </summary>
[GenerateSerializer, Immutable, Alias("cc.ConferencingNode")]
public sealed record ConferencingNode
{
    public ConferencingNode(string name, string systemLocation, NodeRole role, CapacityUnits mediaCapacity)
    {
        Name = name;
        SystemLocation = systemLocation;
        Role = role;
        MediaCapacity = mediaCapacity;
    }

    /// <summary>Unique name (L4570).</summary>
    [Id(0)]
    public string Name { get; init; }

    [Id(1)]
    public string Description { get; init; } = "";

    /// <summary>Changing it disconnects the node's calls and restarts it (R13, L5356).</summary>
    [Id(2)]
    public string SystemLocation { get; init; }

    /// <summary>Changing it disconnects the node's calls and restarts it (R13, L5355).</summary>
    [Id(3)]
    public NodeRole Role { get; init; }

    /// <summary>
    /// A node in maintenance mode accepts no new calls: no signalling, proxying or transcoding (L11666), and reports
    /// a media load of 100% (L11680). Existing calls continue.
    /// </summary>
    [Id(4)]
    public bool MaintenanceMode { get; init; }

    /// <summary>
    /// The media capacity the node measured at start-up (R60, L1185). A silo configures it as
    /// <c>Silo:Capacity:AudioCalls</c>; see <see cref="CapacityUnits.FromAudioCalls"/>.
    /// </summary>
    [Id(5)]
    public CapacityUnits MediaCapacity { get; init; }

    /// <summary>
    /// IPv4 static NAT address (L4586). Nodes with and without static NAT must not share a location (R12, L1796).
    /// </summary>
    [Id(6)]
    public string? StaticNatAddress { get; init; }

    /// <summary>True for an overflow node that the bursting controller starts and stops (L2064–2065).</summary>
    [Id(7)]
    public bool IsCloudBurstingNode { get; init; }
}
