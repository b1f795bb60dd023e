using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Storage;

/// <summary>
/// The cluster database held in process memory, for unit tests and in-process test clusters. All silos that
/// share one instance see one cluster. Semantics match the SQL stores exactly (they are tested against the same suite).
/// </summary>
public sealed class InMemoryClusterStore : IClusterStore
{
    public InMemoryClusterStore(string clusterId = "test", TimeProvider? time = null)
    {
        ClusterId = clusterId;
        Membership = new InMemoryMembershipTable();
        Directory = new InMemoryGrainDirectoryStore();
        Documents = new InMemoryDocumentStore();
    }

    public string ClusterId { get; }
    public IMembershipTable Membership { get; }
    public IGrainDirectoryStore Directory { get; }
    public IClusterDocumentStore Documents { get; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SiloAddress, (MembershipEntry Entry, int ETag)> _rows = new();
    private int _version;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var rows = _rows.Values.Select(r => new MembershipRow(r.Entry, r.ETag.ToString())).ToList();
            return Task.FromResult(new MembershipTableData(rows, new TableVersion(_version, _version.ToString())));
        }
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion newVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (newVersion.Version != _version + 1 || _rows.ContainsKey(entry.SiloAddress))
                return Task.FromResult(false);
            _rows[entry.SiloAddress] = (entry, 0);
            _version = newVersion.Version;
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion newVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (newVersion.Version != _version + 1
                || !_rows.TryGetValue(entry.SiloAddress, out var current)
                || current.ETag.ToString() != etag)
                return Task.FromResult(false);
            _rows[entry.SiloAddress] = (entry, current.ETag + 1);
            _version = newVersion.Version;
            return Task.FromResult(true);
        }
    }

    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_rows.TryGetValue(entry.SiloAddress, out var current))
                _rows[entry.SiloAddress] = (current.Entry with { IAmAliveTime = entry.IAmAliveTime }, current.ETag);
            return Task.CompletedTask;
        }
    }

    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var key in _rows.Where(r => r.Value.Entry.Status != SiloStatus.Active && r.Value.Entry.IAmAliveTime < beforeDate).Select(r => r.Key).ToList())
                _rows.Remove(key);
            return Task.CompletedTask;
        }
    }

    public Task DeleteClusterAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _rows.Clear();
            _version = 0;
            return Task.CompletedTask;
        }
    }
}

internal sealed class InMemoryGrainDirectoryStore : IGrainDirectoryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GrainId, GrainAddress> _registrations = new();

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_registrations.GetValueOrDefault(grainId));
    }

    public Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_registrations.TryGetValue(address.GrainId, out var current) || current == previousAddress)
            {
                _registrations[address.GrainId] = address;
                return Task.FromResult(address);
            }
            return Task.FromResult(current);
        }
    }

    public Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_registrations.TryGetValue(address.GrainId, out var current) && current == address)
                _registrations.Remove(address.GrainId);
            return Task.CompletedTask;
        }
    }

    public Task UnregisterSiloAsync(SiloAddress silo, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var key in _registrations.Where(r => r.Value.Silo == silo).Select(r => r.Key).ToList())
                _registrations.Remove(key);
            return Task.CompletedTask;
        }
    }
}

internal sealed class InMemoryDocumentStore : IClusterDocumentStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Collection, string Id), StoredDocument> _documents = new();
    private long _changeCounter;

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
            var doc = new StoredDocument(collection, id, json, 1);
            _documents[(collection, id)] = doc;
            _changeCounter++;
            return Task.FromResult<StoredDocument?>(doc);
        }
    }

    public Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue((collection, id), out var current) || current.Version != expectedVersion)
                return Task.FromResult<StoredDocument?>(null);
            var doc = current with { Json = json, Version = expectedVersion + 1 };
            _documents[(collection, id)] = doc;
            _changeCounter++;
            return Task.FromResult<StoredDocument?>(doc);
        }
    }

    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue((collection, id), out var current) || (expectedVersion is { } v && current.Version != v))
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
}
