using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Silo.Storage;

/// <summary>Opens the cluster database named by <c>Cluster:Storage</c> and <c>Cluster:ConnectionString</c>.</summary>
internal interface IClusterStoreProvider
{
    IClusterStore Create(ClusterStorageKind kind, string clusterId, string? connectionString);
}

/// <summary>
/// Merge seam: the SQL stores (ConferenceCluster.Runtime.Sql) are not in this build yet. At merge this body
/// becomes <c>ClusterStoreFactory.Create(kind, clusterId, connectionString)</c> and the exception goes away.
/// </summary>
internal sealed class DefaultClusterStoreProvider : IClusterStoreProvider
{
    public IClusterStore Create(ClusterStorageKind kind, string clusterId, string? connectionString) => kind switch
    {
        ClusterStorageKind.Memory => new InMemoryClusterStore(clusterId),
        _ => throw new NotSupportedException(
            $"The {kind.ToString().ToLowerInvariant()} cluster store is not available in this build; set Cluster:Storage=memory"),
    };
}
