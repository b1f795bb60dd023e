using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Silo.Storage;

/// <summary>Opens the cluster database named by <c>Cluster:Storage</c> and <c>Cluster:ConnectionString</c>.</summary>
internal interface IClusterStoreProvider
{
    IClusterStore Create(ClusterStorageKind kind, string clusterId, string? connectionString);
}

/// <summary>The SQL and in-memory stores of ConferenceCluster.Runtime.Sql; tests swap in a shared in-memory store.</summary>
internal sealed class DefaultClusterStoreProvider : IClusterStoreProvider
{
    public IClusterStore Create(ClusterStorageKind kind, string clusterId, string? connectionString) =>
        Runtime.Sql.ClusterStoreFactory.Create(kind, clusterId, connectionString);
}
