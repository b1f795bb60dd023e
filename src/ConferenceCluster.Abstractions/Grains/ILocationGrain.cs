using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

/// <summary>Where a location stands against the global bursting threshold (R73, R83, L2119–2120).</summary>
[GenerateSerializer, Alias("cc.BurstingThresholdState")]
public enum BurstingThresholdState
{
    BelowThreshold,
    /// <summary>Available HD connections ≤ threshold + 2: "approaching threshold" (L2119).</summary>
    ApproachingThreshold,
    /// <summary>Available HD connections ≤ threshold: "bursting threshold reached" (L2120).</summary>
    ThresholdReached,
}

/// <param name="Nodes">Every live node of the location, transcoding and proxying.</param>
[GenerateSerializer, Immutable, Alias("cc.LocationStatus")]
public sealed record LocationStatus(string Location, LocationCapacity Capacity, IReadOnlyList<NodeLoadReport> Nodes, BurstingThresholdState Bursting);

/// <summary>One per system location (key = location name), placed by hash: aggregates its live nodes' capacity.</summary>
[Alias("cc.ILocationGrain")]
public interface ILocationGrain : IGrainWithStringKey
{
    [Alias("GetStatus")]
    Task<LocationStatus> GetStatus();
}
