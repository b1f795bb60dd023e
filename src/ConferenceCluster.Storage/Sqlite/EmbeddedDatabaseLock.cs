using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Storage.Sqlite;

/// <summary>
/// The embedded SQLite database serves exactly one silo. Orleans' localhost clustering makes every silo started on it a
/// cluster of its own, and two such clusters on one file would both activate the same conferences and overwrite each
/// other's grain state, so the second silo is refused instead: the first holds an exclusive lock on
/// <c>&lt;database&gt;.silo-lock</c> for as long as it runs (.NET takes it with flock on Linux; the kernel drops it when
/// the process dies, SIGKILL included). Several silos need <c>Cluster:Storage=postgres</c>.
/// </summary>
public sealed class EmbeddedDatabaseLock : IDisposable
{
    private readonly FileStream _lock;

    private EmbeddedDatabaseLock(FileStream @lock, string databasePath)
    {
        _lock = @lock;
        DatabasePath = databasePath;
    }

    public string DatabasePath { get; }

    /// <param name="connectionString"><c>Cluster:ConnectionString</c> as the sqlite storage reads it.</param>
    /// <exception cref="EmbeddedDatabaseInUseException">Another silo runs on the file.</exception>
    public static EmbeddedDatabaseLock Acquire(string? connectionString)
    {
        var path = SqliteFiles.FullPath(ClusterDocumentStores.ResolveSqlitePath(connectionString));
        if (path == SqliteFiles.InMemory)
            throw new ArgumentException("an in-memory SQLite database cannot hold a silo's cluster data", nameof(connectionString));
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        try
        {
            return new EmbeddedDatabaseLock(new FileStream(path + ".silo-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), path);
        }
        catch (IOException ex)
        {
            throw new EmbeddedDatabaseInUseException(path, ex);
        }
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Another silo already runs on the embedded database this silo was given.</summary>
public sealed class EmbeddedDatabaseInUseException(string databasePath, Exception inner) : InvalidOperationException(
    $"Another silo already runs on the SQLite database {databasePath}: Cluster:Storage=sqlite is one embedded silo, and a second one " +
    "would be a cluster of its own sharing that silo's conferences and grain state. Give this silo its own Cluster:ConnectionString, " +
    "or run several silos as one cluster with Cluster:Storage=postgres.", inner)
{
    public string DatabasePath { get; } = databasePath;
}
