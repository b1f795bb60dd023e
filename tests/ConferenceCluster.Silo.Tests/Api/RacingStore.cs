using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// An in-memory cluster store whose document updates can be raced: <see cref="BeforeUpdate"/> runs just before an update
/// reaches the store, so a test can slip another writer's change in between an API request's read and its write.
/// </summary>
internal sealed class RacingStore(string clusterId) : IClusterStore
{
    private readonly InMemoryClusterStore _inner = new(clusterId);
    private RacingDocuments? _documents;

    /// <summary>Called with (collection, id) before every update; the raced change goes through the inner store directly.</summary>
    public Func<string, string, Task>? BeforeUpdate { get; set; }

    public IClusterDocumentStore Inner => _inner.Documents;

    public string ClusterId => _inner.ClusterId;
    public IMembershipTable Membership => _inner.Membership;
    public IGrainDirectoryStore Directory => _inner.Directory;
    public IClusterDocumentStore Documents => _documents ??= new RacingDocuments(this);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _inner.InitializeAsync(cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private sealed class RacingDocuments(RacingStore store) : IClusterDocumentStore
    {
        private IClusterDocumentStore Inner => store.Inner;

        public Task InitializeAsync(CancellationToken cancellationToken = default) => Inner.InitializeAsync(cancellationToken);
        public Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default) => Inner.GetAsync(collection, id, cancellationToken);
        public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default) => Inner.ListAsync(collection, cancellationToken);
        public Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default) => Inner.TryInsertAsync(collection, id, json, cancellationToken);
        public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default) => Inner.DeleteAsync(collection, id, expectedVersion, cancellationToken);
        public Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default) => Inner.GetChangeCounterAsync(cancellationToken);

        public async Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default)
        {
            if (store.BeforeUpdate is { } race) await race(collection, id);
            return await Inner.TryUpdateAsync(collection, id, json, expectedVersion, cancellationToken);
        }
    }
}
