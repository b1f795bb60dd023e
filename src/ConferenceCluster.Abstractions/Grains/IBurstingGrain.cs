namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>The cluster's one bursting controller (key <see cref="BurstingGrain.Key"/>): status and the manual start.</summary>
[Alias("cc.IBurstingGrain")]
public interface IBurstingGrain : IGrainWithStringKey
{
    /// <summary>Activates it if needed and evaluates now; every silo calls it periodically so a controller lost with its silo comes back.</summary>
    [Alias("Tick")]
    Task Tick();

    [Alias("GetStatus")]
    Task<BurstingStatus> GetStatus();

    /// <summary><c>start_cloudnode</c> (AZ:679).</summary>
    [Alias("StartNode")]
    Task<ManualStartOutcome> StartNode(string node);
}

