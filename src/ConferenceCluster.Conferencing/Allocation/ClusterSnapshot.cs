using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Allocation;

/// <summary>
/// An immutable picture of the deployment at one moment: its system locations and the nodes that are up, with their
/// loads. The allocator decides from it alone; a ConferenceGrain builds one from the configuration and the loads its
/// Node/Location grains report, then reserves what the decision names (see <see cref="MediaAllocator"/>).
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly Dictionary<string, SystemLocation> _locations;
    private readonly Dictionary<string, NodeStatus> _nodes;
    private readonly Dictionary<string, List<NodeStatus>> _nodesByLocation;

    public ClusterSnapshot(IEnumerable<SystemLocation> locations, IEnumerable<NodeStatus> nodes)
    {
        _locations = locations.ToDictionary(l => l.Name, StringComparer.Ordinal);
        _nodes = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _nodesByLocation = _nodes.Values
            .GroupBy(n => n.Location, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(n => n.Name, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        SingleTranscodingNodeDeployment = _nodes.Values.Count(n => n.Role == NodeRole.Transcoding) <= 1;
    }

    public IReadOnlyDictionary<string, SystemLocation> Locations => _locations;

    public IReadOnlyDictionary<string, NodeStatus> Nodes => _nodes;

    /// <summary>
    /// True when the deployment has at most one Transcoding Conferencing Node. The seed waives the backplane
    /// reservation for "deployments with a single Conferencing Node" because "no backplanes will ever be required"
    /// (L1199); backplanes join transcoding nodes only (R40), so the reason holds as long as there is one transcoding
    /// node, however many proxying nodes front it.
    /// </summary>
    public bool SingleTranscodingNodeDeployment { get; }

    /// <summary>The nodes of a location, ordered by name (the final tie-break everywhere).</summary>
    public IReadOnlyList<NodeStatus> NodesIn(string location) =>
        _nodesByLocation.TryGetValue(location, out var nodes) ? nodes : [];

    /// <summary>
    /// The configuration of a location. A location that nodes name but the configuration lacks (a configuration
    /// change not yet replicated) behaves as a location with default settings: it transcodes in itself, no overflow.
    /// </summary>
    public SystemLocation Location(string name) => _locations.TryGetValue(name, out var location) ? location : new SystemLocation(name);
}
