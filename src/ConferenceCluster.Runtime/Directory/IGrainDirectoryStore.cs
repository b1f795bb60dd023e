using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Directory;

/// <summary>
/// The durable, strongly consistent grain directory: at most one registration per grain id in the whole
/// cluster, claimed with a conditional insert (Orleans' IGrainDirectory contract). This row is what makes
/// an activation the only one.
/// </summary>
public interface IGrainDirectoryStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers <paramref name="address"/> if the grain has no registration, or if its current registration
    /// equals <paramref name="previousAddress"/> (same silo and activation id; used to take over from a dead
    /// silo). Returns the registration stored afterwards: <paramref name="address"/> if it won, else the winner.
    /// Atomic: concurrent callers from any number of processes get the same winner.
    /// </summary>
    Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default);

    /// <summary>Removes the registration only if it is exactly <paramref name="address"/> (silo and activation id).</summary>
    Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken = default);

    /// <summary>Removes every registration of a silo (after it was declared dead or left gracefully).</summary>
    Task UnregisterSiloAsync(SiloAddress silo, CancellationToken cancellationToken = default);
}
