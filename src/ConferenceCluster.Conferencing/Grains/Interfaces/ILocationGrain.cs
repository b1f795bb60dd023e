using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

/// <summary>Where a location stands against the global bursting threshold (R73, R83, L2119–2120).</summary>
public enum BurstingThresholdState
{
    BelowThreshold,
    /// <summary>Available HD connections ≤ threshold + 2: "approaching threshold" (L2119).</summary>
    ApproachingThreshold,
    /// <summary>Available HD connections ≤ threshold: "bursting threshold reached" (L2120).</summary>
    ThresholdReached,
}

/// <param name="Nodes">Every live node of the location, transcoding and proxying.</param>
public sealed record LocationStatus(string Location, LocationCapacity Capacity, IReadOnlyList<NodeLoadReport> Nodes, BurstingThresholdState Bursting);

/// <summary>One per system location (key = location name), placed by hash: aggregates its live nodes' capacity.</summary>
public interface ILocationGrain : IGrainWithStringKey
{
    Task<LocationStatus> GetStatus();
}
