using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// An in-memory configuration store whose document updates can be raced: <see cref="BeforeUpdate"/> runs just before an
/// update reaches the store, so a test can slip another writer's change in between an API request's read and its write.
/// </summary>
internal sealed class RacingStore(string clusterId) : IClusterDocumentStore
{
    private readonly InMemoryDocumentStore _inner = new(clusterId);

    /// <summary>Called with (collection, id) before every update; the raced change goes through <see cref="Inner"/> directly.</summary>
    public Func<string, string, Task>? BeforeUpdate { get; set; }

    public IClusterDocumentStore Inner => _inner;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _inner.InitializeAsync(cancellationToken);
    public Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default) => _inner.GetAsync(collection, id, cancellationToken);
    public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default) => _inner.ListAsync(collection, cancellationToken);
    public Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default) => _inner.TryInsertAsync(collection, id, json, cancellationToken);
    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default) => _inner.DeleteAsync(collection, id, expectedVersion, cancellationToken);
    public Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default) => _inner.GetChangeCounterAsync(cancellationToken);

    public async Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default)
    {
        if (BeforeUpdate is { } race) await race(collection, id);
        return await _inner.TryUpdateAsync(collection, id, json, expectedVersion, cancellationToken);
    }
}
