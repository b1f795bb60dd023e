using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>A Conferencing Node that is up, and the silo incarnation that is it.</summary>
public sealed record LiveNode(ConferencingNode Node, SiloAddress Silo);

/// <summary>
/// The live Conferencing Nodes as this silo sees them: every active silo of Orleans' membership, described by its node
/// record from the configuration view, or by its own silo metadata while its record has not reached this silo's view
/// yet. One silo is one node (DESIGN.md §1).
/// </summary>
public sealed class ClusterNodes(ConfigurationView configuration, IClusterMembershipService membership, ISiloMetadataCache metadata, ConferencingOptions options)
{
    public IReadOnlyList<LiveNode> Live()
    {
        var config = configuration.Current;
        var nodes = new List<LiveNode>();
        foreach (var member in membership.CurrentSnapshot.Members.Values
                     .Where(m => m.Status == SiloStatus.Active)
                     .GroupBy(m => m.Name, StringComparer.Ordinal)
                     .Select(g => g.MaxBy(m => m.SiloAddress.Generation)!))
        {
            if (config.Nodes.TryGetValue(member.Name, out var record))
            {
                nodes.Add(new LiveNode(record.Node, member.SiloAddress));
                continue;
            }
            // Registered before it joined, so only this silo's view can lag behind: its metadata says the same.
            var published = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
            if (published.Count > 0)
                nodes.Add(new LiveNode(NodeSelfRegistration.FromMetadata(member.Name, published, options), member.SiloAddress));
        }
        nodes.Sort((a, b) => string.CompareOrdinal(a.Node.Name, b.Node.Name));
        return nodes;
    }

    /// <summary>
    /// True when this incarnation of the node is leaving or gone (a restarted silo is a new incarnation: its calls are
    /// gone too). An incarnation this silo's view does not know yet is not taken for dead: the view may simply lag.
    /// </summary>
    public bool HasFailed(SiloAddress silo) => membership.CurrentSnapshot.GetSiloStatus(silo).IsTerminating();

    /// <summary>True when a silo of that name (node name) is active in this silo's view of the membership.</summary>
    public bool IsActive(string node) =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && m.Name == node);
}
