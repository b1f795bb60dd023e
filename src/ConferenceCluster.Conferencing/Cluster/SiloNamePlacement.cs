using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>
/// Places a grain on the silo whose name is the grain's key: the per-node grains (a node's capacity ledger, its media
/// node, its signalling node) live exactly as long as their silo does. Orleans' documented extension point for
/// placement (a strategy, its attribute and a director); <c>[SiloRoleBasedPlacement]</c> does not serve because its role
/// is the entry assembly's name (docs/decisions.md).
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("cc.SiloNamePlacement")]
public sealed class SiloNamePlacement : PlacementStrategy
{
    public static readonly SiloNamePlacement Instance = new();
}

/// <summary>Puts the grain on the silo named by its string key (see <see cref="SiloNamePlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloNamePlacementAttribute() : PlacementAttribute(SiloNamePlacement.Instance);

/// <summary>
/// Chooses the newest active incarnation of the silo named by the key. No such silo: the call fails with
/// <see cref="SiloUnavailableException"/>, exactly what a caller of a node that left should see.
/// </summary>
public sealed class SiloNamePlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var name = target.GrainIdentity.Key.ToString();
        var members = membership.CurrentSnapshot.Members;
        var silo = context.GetCompatibleSilos(target)
            .Where(s => members.TryGetValue(s, out var member) && member.Status == SiloStatus.Active && member.Name == name)
            .MaxBy(s => s.Generation);
        return silo is not null
            ? Task.FromResult(silo)
            : Task.FromException<SiloAddress>(new SiloUnavailableException($"No active silo named '{name}' to place {target.GrainIdentity} on."));
    }
}
