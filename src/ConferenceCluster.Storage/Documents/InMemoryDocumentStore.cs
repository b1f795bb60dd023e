namespace ConferenceCluster.Storage.Documents;

/// <summary>
/// The documents held in process memory, for unit tests and in-process test clusters: every silo that shares one
/// instance sees one cluster. Semantics match the SQL stores exactly (they pass the same conformance suite).
/// </summary>
public sealed class InMemoryDocumentStore(string clusterId = "test") : IOwnedClusterDocumentStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Collection, string Id), StoredDocument> _documents = new();
    private long _changeCounter;

    public string ClusterId { get; } = clusterId;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_documents.GetValueOrDefault((collection, id)));
    }

    public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredDocument> list = _documents.Values.Where(d => d.Collection == collection)
                .OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
            return Task.FromResult(list);
        }
    }

    public Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_documents.ContainsKey((collection, id)))
                return Task.FromResult<StoredDocument?>(null);
            var document = new StoredDocument(collection, id, json, 1);
            _documents[(collection, id)] = document;
            _changeCounter++;
            return Task.FromResult<StoredDocument?>(document);
        }
    }

    public Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue((collection, id), out var current) || current.Version != expectedVersion)
                return Task.FromResult<StoredDocument?>(null);
            var document = current with { Json = json, Version = expectedVersion + 1 };
            _documents[(collection, id)] = document;
            _changeCounter++;
            return Task.FromResult<StoredDocument?>(document);
        }
    }

    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue((collection, id), out var current) || (expectedVersion is { } version && current.Version != version))
                return Task.FromResult(false);
            _documents.Remove((collection, id));
            _changeCounter++;
            return Task.FromResult(true);
        }
    }

    public Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_changeCounter);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
