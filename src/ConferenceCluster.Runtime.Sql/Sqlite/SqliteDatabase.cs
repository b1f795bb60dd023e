namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>
/// The one connection of a <see cref="SqliteClusterStore"/> and the gate that serialises its use: callers
/// queue asynchronously on the gate, and the holder runs its (synchronous) SQLite calls on the thread pool.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    /// <summary>How long a statement waits for another process's write lock before failing with SQLITE_BUSY.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    private const string InMemoryPath = ":memory:";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _connection;
    private bool _schemaCreated;

    public SqliteDatabase(string clusterId, string path)
    {
        ClusterId = clusterId;
        // ":memory:" is SQLite's private in-memory database (one connection, so one store): not a file name.
        Path = path == InMemoryPath ? path : System.IO.Path.GetFullPath(path);
        if (Path != InMemoryPath && System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
            System.IO.Directory.CreateDirectory(directory);
        _connection = SqliteConnection.Open(Path, BusyTimeout);
        try
        {
            // Switching to WAL needs a moment of exclusive access; the busy timeout covers that wait. The mode is
            // stored in the file, so only the first silo ever to open it really switches.
            _connection.Execute(SqliteSql.JournalModeWal);
            _connection.Execute(SqliteSql.SynchronousNormal);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string ClusterId { get; }
    public string Path { get; }

    /// <summary>Creates the tables if missing (once per store; the write lock orders concurrent processes).</summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            if (!_schemaCreated)
            {
                connection.InTransaction(immediate: true, c =>
                {
                    c.Execute(SqliteSql.CreateSchema);
                    return (true, true);
                });
                _schemaCreated = true;
            }
            return true;
        }, cancellationToken);

    /// <summary>Runs statements that need no transaction: single reads and single blind writes.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // SQLite blocks on the disk, and for up to BusyTimeout on another process's write lock: keep that off
            // the caller's thread, which may be a silo's single-threaded turn scheduler.
            return await Task.Run(() => work(_connection), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a read-modify-write under the database's write lock; it commits only if the work says so.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, (T Result, bool Commit)> work, CancellationToken cancellationToken) =>
        RunAsync(connection => connection.InTransaction(immediate: true, work), cancellationToken);

    /// <summary>A prepared statement with the cluster id bound (every statement of the store is scoped to it).</summary>
    public SqliteStatement Prepare(SqliteConnection connection, string sql) =>
        connection.Prepare(sql).Bind("@cluster_id", ClusterId);

    // The gate is left to the GC: an operation still queued on it must fail on the closed connection, not on a disposed semaphore.
    public void Dispose() => _connection.Dispose();
}
