using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>
/// The transcoding capacity of one system location, as a LocationGrain aggregates it from its nodes. Only
/// Transcoding Conferencing Nodes count: a location's conference capacity follows its transcoding nodes (R8, L705).
/// </summary>
[GenerateSerializer, Immutable, Alias("cc.LocationCapacity")]
public sealed record LocationCapacity(string Location, int TranscodingNodes, CapacityUnits Total, CapacityUnits Load, CapacityUnits Available)
{
    /// <summary>The "available HD connections" of the status page and of the bursting threshold (R73, L2050), rounded down.</summary>
    public long AvailableHdCalls => Available.WholeHdCalls;

    public static LocationCapacity Of(string location, IEnumerable<NodeStatus> nodes)
    {
        var transcoding = nodes.Where(n => n.Location == location && n.Role == NodeRole.Transcoding).ToList();
        var total = CapacityUnits.Zero;
        var load = CapacityUnits.Zero;
        var available = CapacityUnits.Zero;
        foreach (var node in transcoding)
        {
            total += node.Node.MediaCapacity;
            load += node.Load;
            available += node.Available;
        }
        return new LocationCapacity(location, transcoding.Count, total, load, available);
    }
}
