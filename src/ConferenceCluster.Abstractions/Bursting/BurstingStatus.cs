using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>Where an overflow (cloud bursting) node stands, as the controller knows it from the provider and the cluster.</summary>
[GenerateSerializer, Alias("cc.OverflowNodeState")]
public enum OverflowNodeState
{
    NotRunning,
    /// <summary>Start requested; its silo has not joined the cluster yet, so it offers no capacity (≈5 min, L2054).</summary>
    Starting,
    /// <summary>Its silo is up and takes media.</summary>
    Running,
    Stopping,
}

/// <summary>An overflow node on the status page ("Cloud overflow nodes", L2121).</summary>
[GenerateSerializer, Immutable, Alias("cc.OverflowNodeStatus")]
public sealed record OverflowNodeStatus(string Name, string Location, OverflowNodeState State, string? InstanceId, string? Address, DateTimeOffset? StartedAt, bool HostingConferences);

/// <summary>The Cloud Bursting status page (L2113–2122): principal and overflow locations, overflow nodes, issues.</summary>
[GenerateSerializer, Immutable, Alias("cc.BurstingStatus")]
public sealed record BurstingStatus(
    DateTimeOffset EvaluatedAt,
    bool Enabled,
    int ThresholdHdCalls,
    IReadOnlyList<PrincipalLocationStatus> Principals,
    IReadOnlyList<OverflowLocationStatus> OverflowLocations,
    IReadOnlyList<OverflowNodeStatus> Nodes,
    IReadOnlyList<string> Issues)
{
    public static BurstingStatus Empty(DateTimeOffset now) => new(now, false, 0, [], [], [], []);
}

[GenerateSerializer, Alias("cc.ManualStartOutcome")]
public enum ManualStartOutcome
{
    Started,
    AlreadyRunning,
    /// <summary>No configured cloud bursting node of that name.</summary>
    UnknownNode,
    /// <summary>No tagged instance carries it, so there is nothing to start.</summary>
    NoInstance,
    /// <summary>The provider refused or failed; the matching alarm is up.</summary>
    ProviderFailed,
}

/// <summary>
/// A principal location on the Cloud Bursting status page (L2118): one whose Primary overflow location holds bursting nodes.
/// </summary>
/// <param name="MeasuredLocation">The location whose capacity counts: the principal's transcoding location.</param>
[GenerateSerializer, Immutable, Alias("cc.PrincipalLocationStatus")]
public sealed record PrincipalLocationStatus(string Location, string MeasuredLocation, string OverflowLocation, long AvailableHdCalls, BurstingThresholdState State);

/// <summary>An overflow location: its running nodes' available HD, and how many nodes run, start or wait.</summary>
[GenerateSerializer, Immutable, Alias("cc.OverflowLocationStatus")]
public sealed record OverflowLocationStatus(string Location, long AvailableHdCalls, int Running, int Starting, int NotRunning, bool UsedAsPrimaryOverflow);

