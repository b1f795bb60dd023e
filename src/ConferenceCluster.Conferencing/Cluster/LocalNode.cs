using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>
/// The Conferencing Node this silo is: its silo name and the metadata it publishes to the cluster (location, role,
/// measured capacity, HTTP port; <see cref="NodeMetadataKeys"/>). The host creates it from its configuration before the
/// silo starts, so the node can register itself in the cluster database before it joins.
/// </summary>
public sealed class LocalNode(string name, IReadOnlyDictionary<string, string> metadata)
{
    public string Name { get; } = name;

    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>This node as its own metadata describes it (an operator's record in the configuration wins over it).</summary>
    public ConferencingNode Describe(ConferencingOptions options) => NodeSelfRegistration.FromMetadata(Name, Metadata, options);
}
