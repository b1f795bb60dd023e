using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

/// <summary>What a node reports about itself: its effective record (capacity, maintenance) and its committed load.</summary>
/// <param name="Node">The node as its NodeGrain applies it: configured capacity (or the measured one) and maintenance mode.</param>
/// <param name="Load">Calls, proxied calls and backplane reservations of every conference (R53, R54).</param>
/// <param name="Conferences">How many conferences hold capacity on it.</param>
[GenerateSerializer, Immutable, Alias("cc.NodeLoadReport")]
public sealed record NodeLoadReport(ConferencingNode Node, CapacityUnits Load, int LoadPercent, int Conferences)
{
    public NodeStatus ToNodeStatus() => new(Node, Load);
}

/// <summary>The answer to <see cref="INodeGrain.TryReserve"/>, with the load after it (granted or not) for the caller's next snapshot.</summary>
[GenerateSerializer, Immutable, Alias("cc.ReservationResult")]
public sealed record ReservationResult(bool Granted, NodeLoadReport Node);

/// <summary>
/// One per silo (key = silo name = Conferencing Node name), living on that silo: the node's capacity ledger. Its turn
/// is the atomic point of every reservation, so concurrent joins of many conferences can never overbook it.
/// </summary>
[Alias("cc.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Takes the units for the conference if they are free and the node is not in maintenance; else changes nothing.</summary>
    [Alias("TryReserve")]
    Task<ReservationResult> TryReserve(string conference, CapacityUnits units);

    /// <summary>Gives back units a conference held (a participant left; the node stopped hosting).</summary>
    [Alias("Release")]
    Task<NodeLoadReport> Release(string conference, CapacityUnits units);

    /// <summary>
    /// Makes what the conference holds here exactly <paramref name="held"/>: used by a conference that reactivated from
    /// its persisted state, to undo a reservation its lost activation made but never recorded.
    /// </summary>
    [Alias("Reconcile")]
    Task<NodeLoadReport> Reconcile(string conference, CapacityUnits held);

    [Alias("GetStatus")]
    Task<NodeLoadReport> GetStatus();

    /// <summary>The host measured the node's capacity (R60, L1185); it replaces the configured figure until the silo restarts.</summary>
    [Alias("SetMeasuredCapacity")]
    Task<NodeLoadReport> SetMeasuredCapacity(CapacityUnits capacity);
}
