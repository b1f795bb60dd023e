using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>A Conferencing Node with its current media load, as its NodeGrain reports it.</summary>
/// <param name="Load">Everything the node has committed: calls, proxied calls and backplane reservations of all conferences.</param>
[GenerateSerializer, Immutable, Alias("cc.NodeStatus")]
public sealed record NodeStatus(ConferencingNode Node, CapacityUnits Load)
{
    public string Name => Node.Name;

    public string Location => Node.SystemLocation;

    public NodeRole Role => Node.Role;

    /// <summary>
    /// Capacity still free for new media. A node in maintenance mode has none: it accepts no new calls (L11666) and
    /// reports 100% load (L11680).
    /// </summary>
    public CapacityUnits Available => Node.MaintenanceMode
        ? CapacityUnits.Zero
        : CapacityUnits.Max(CapacityUnits.Zero, Node.MediaCapacity - Load);

    public bool CanTake(CapacityUnits cost) => !Node.MaintenanceMode && Available >= cost;
}
