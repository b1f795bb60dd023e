using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>
/// The cluster database in one SQLite file: the embedded default, shared by the silo processes of one host.
/// Every read-modify-write runs in a <c>BEGIN IMMEDIATE</c> transaction, so the optimistic checks and the
/// directory claims hold across processes; inside a process, the store runs one operation at a time.
/// </summary>
public sealed class SqliteClusterStore : IClusterStore
{
    private readonly SqliteDatabase _database;

    public SqliteClusterStore(string clusterId, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ClusterId = clusterId;
        _database = new SqliteDatabase(clusterId, path);
        Membership = new SqliteMembershipTable(_database);
        Directory = new SqliteGrainDirectoryStore(_database);
        Documents = new SqliteDocumentStore(_database);
    }

    public string ClusterId { get; }

    /// <summary>The full path of the database file.</summary>
    public string Path => _database.Path;

    public IMembershipTable Membership { get; }
    public IGrainDirectoryStore Directory { get; }
    public IClusterDocumentStore Documents { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await Membership.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Directory.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Documents.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }
}
