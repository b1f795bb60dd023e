namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>Power state of a cloud instance as its provider reports it.</summary>
public enum CloudInstanceState
{
    Stopped,
    Starting,
    Running,
    Stopping,
}

/// <summary>
/// An instance a provider knows: its id for start/stop, its name (matched to the Conferencing Node of the same name:
/// our decision, docs/decisions.md), its address for the status page, and the value of its <c>pexip-cloud</c> tag.
/// </summary>
public sealed record CloudInstance(string Id, string Name, string? Address, CloudInstanceState State, string? TagValue);

/// <summary>What went wrong talking to the cloud: each kind has its alarm (L15433–15444).</summary>
public enum BurstingFailureKind
{
    /// <summary>Cannot sign in (wrong keys or ids): <c>bursting_authentication_failure</c>.</summary>
    Authentication,
    /// <summary>Not allowed to see, start or stop the instance: <c>bursting_unauthorized_instance_failure</c>.</summary>
    UnauthorizedInstance,
    /// <summary>Not allowed in the region or subscription: <c>bursting_unauthorized_region_failure</c>.</summary>
    UnauthorizedRegion,
    /// <summary>Anything else: <c>bursting_error</c>.</summary>
    Other,
}

public sealed class BurstingProviderException(BurstingFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public BurstingFailureKind Kind { get; } = kind;
}

/// <summary>
/// Where overflow nodes run. It only lists, starts and stops instances: the platform never creates or deletes them
/// (AWS1:596, S19). Failures are <see cref="BurstingProviderException"/>s.
/// </summary>
public interface IOverflowNodeProvider
{
    Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken);

    Task StartAsync(CloudInstance instance, CancellationToken cancellationToken);

    /// <summary>Stops (on Azure: deallocates, AZ:649) the instance.</summary>
    Task StopAsync(CloudInstance instance, CancellationToken cancellationToken);
}
