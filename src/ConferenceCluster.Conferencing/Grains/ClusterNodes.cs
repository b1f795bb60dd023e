using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>A Conferencing Node that is up, and the silo incarnation that is it.</summary>
public sealed record LiveNode(ConferencingNode Node, SiloAddress Silo);

/// <summary>
/// The live Conferencing Nodes as this silo sees them: every active silo (membership), described by its node
/// record from the configuration view, or by its own metadata while its self-registration has not reached this
/// silo's view yet. One silo is one node (DESIGN.md §1).
/// </summary>
public sealed class ClusterNodes(ConfigurationView configuration, IClusterMembershipView membership, ConferencingOptions options)
{
    public IReadOnlyList<LiveNode> Live()
    {
        var config = configuration.Current;
        return membership.Current.ActiveSilos
            .GroupBy(e => e.SiloName, StringComparer.Ordinal)
            .Select(g => g.MaxBy(e => e.SiloAddress.Generation)!)
            .Select(e => new LiveNode(
                config.Nodes.TryGetValue(e.SiloName, out var record)
                    ? record.Node
                    : NodeSelfRegistration.FromMetadata(e.SiloName, e.Metadata, options),
                e.SiloAddress))
            .OrderBy(n => n.Node.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// True when this incarnation of the node is leaving or gone (a restarted silo is a new incarnation: its calls are
    /// gone too). An incarnation this silo's view does not know yet is not taken for dead: the view may simply lag.
    /// </summary>
    public bool HasFailed(SiloAddress silo) => membership.Current.GetStatus(silo).IsTerminating();
}
