using Microsoft.Data.Sqlite;

namespace ConferenceCluster.Storage.Sqlite;

/// <summary>
/// How this project opens a SQLite file that several silo processes of one host may share: write-ahead log (readers
/// run beside the one writer, across processes), synchronous=NORMAL (durable enough in WAL mode: a power cut may lose
/// the last commits, never corrupt the file; it saves an fsync per commit) and a busy timeout, so a writer waits
/// for another process's write lock instead of failing at once.
/// </summary>
internal static class SqliteFiles
{
    /// <summary>How long a statement waits for another process's write lock before failing with SQLITE_BUSY.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>SQLite's private in-memory database (one connection, so one store): not a file name.</summary>
    public const string InMemory = ":memory:";

    public static string FullPath(string path) => path == InMemory ? path : Path.GetFullPath(path);

    public static string ConnectionString(string fullPath) => new SqliteConnectionStringBuilder
    {
        DataSource = fullPath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        DefaultTimeout = (int)BusyTimeout.TotalSeconds,
    }.ToString();

    /// <summary>
    /// Opens <paramref name="fullPath"/> (creating its directory) unpooled: the caller keeps the connection, and a
    /// closed store must not leave the file open in a pool.
    /// </summary>
    public static SqliteConnection Open(string fullPath)
    {
        if (fullPath != InMemory && Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString(fullPath)) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            // Switching to WAL needs a moment of exclusive access, which the busy timeout covers. The mode is stored in
            // the file, so only the first process ever to open it really switches; the other two are per connection.
            Execute(connection, $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}");
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = NORMAL");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
