namespace ConferenceCluster.Storage.Documents;

/// <summary>A JSON document with an optimistic-concurrency version (1 after insert, +1 per update).</summary>
public sealed record StoredDocument(string Collection, string Id, string Json, long Version);

/// <summary>
/// Cluster-wide configuration and small state kept in the cluster database (collections of JSON documents):
/// the admin credentials, system locations, nodes, conference services and so on. One store sees the documents
/// of one cluster id only, whoever else shares the database.
/// </summary>
public interface IClusterDocumentStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default);

    /// <summary>All documents of a collection, ordered by id (ordinal).</summary>
    Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default);

    /// <summary>Inserts a new document (version 1). Null if a document with that id exists.</summary>
    Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default);

    /// <summary>Replaces a document whose version is still <paramref name="expectedVersion"/>. Null if it moved on or is gone.</summary>
    Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document; with <paramref name="expectedVersion"/> only if it still has that version. True if it deleted one.</summary>
    Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>A store-wide counter bumped by every insert, update and delete, so a silo can poll one value cheaply to see that configuration changed.</summary>
    Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default);
}

/// <summary>A document store that holds connections (or a file) of its own: whoever created it disposes it.</summary>
public interface IOwnedClusterDocumentStore : IClusterDocumentStore, IAsyncDisposable
{
    /// <summary>The cluster id whose documents this store reads and writes.</summary>
    string ClusterId { get; }
}
