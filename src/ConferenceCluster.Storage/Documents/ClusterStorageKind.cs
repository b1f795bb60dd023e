namespace ConferenceCluster.Storage.Documents;

/// <summary>Which database holds the cluster (configuration key <c>Cluster:Storage</c>).</summary>
public enum ClusterStorageKind
{
    Sqlite,
    Postgres,
    Memory,
}
