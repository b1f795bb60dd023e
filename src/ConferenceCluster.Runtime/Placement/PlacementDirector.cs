using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Invocation;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Placement;

/// <summary>Picks the silo for a new activation (Orleans' placement directors, one small rule each).</summary>
internal static class PlacementDirector
{
    /// <summary>
    /// The target silo for a grain with no live activation, or null when no silo can take it.
    /// <paramref name="caller"/> is the silo making the call (null for a client); a caller that is shutting
    /// down does not place on itself.
    /// </summary>
    public static SiloAddress? Place(GrainId grainId, PlacementStrategy strategy, MembershipSnapshot membership, SiloAddress? caller)
    {
        var active = membership.ActiveSilos.Select(e => e.SiloAddress).OrderBy(a => a).ToList();
        return strategy switch
        {
            PlacementStrategy.PreferLocal when caller is not null && active.Contains(caller) => caller,
            PlacementStrategy.SiloPinned => membership.FindByName(grainId.Key)?.SiloAddress,
            _ when active.Count == 0 => null,
            _ => active[(int)(grainId.StableHash() % (uint)active.Count)],
        };
    }
}
