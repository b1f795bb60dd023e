using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Storage;

/// <summary>The cluster database of one cluster id: membership table, grain directory and configuration documents.</summary>
public interface IClusterStore : IAsyncDisposable
{
    string ClusterId { get; }
    IMembershipTable Membership { get; }
    IGrainDirectoryStore Directory { get; }
    IClusterDocumentStore Documents { get; }

    /// <summary>Creates schema and the cluster's version row; idempotent and safe to call from many processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}

/// <summary>Which database holds the cluster (configuration key <c>Cluster:Storage</c>).</summary>
public enum ClusterStorageKind
{
    Sqlite,
    Postgres,
    Memory,
}
