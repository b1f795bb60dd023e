using System.Runtime.InteropServices;
using ConferenceCluster.Runtime.Sql.Sqlite.Native;

namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>
/// One connection to a SQLite file. Not thread-safe by itself: its owner runs one operation at a time, which
/// also keeps <c>sqlite3_errmsg</c> and <c>sqlite3_changes</c> meaning the caller's own last statement.
/// </summary>
internal sealed class SqliteConnection : IDisposable
{
    private readonly SqliteConnectionHandle _handle;

    private SqliteConnection(SqliteConnectionHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens (creating if needed) the file, with a busy timeout so writers of other processes are waited for.</summary>
    public static SqliteConnection Open(string path, TimeSpan busyTimeout)
    {
        // FULLMUTEX is belt and braces: the owner serialises calls anyway, but a stray concurrent call must not corrupt memory.
        const int flags = SqliteNative.SQLITE_OPEN_READWRITE | SqliteNative.SQLITE_OPEN_CREATE | SqliteNative.SQLITE_OPEN_FULLMUTEX;
        var rc = SqliteNative.sqlite3_open_v2(path, out var handle, flags, IntPtr.Zero);
        if (rc != SqliteNative.SQLITE_OK)
        {
            // open_v2 hands back a handle even on failure (to read the message from); it must still be closed.
            var message = handle.IsInvalid ? DescribeResultCode(rc) : ErrorMessage(handle);
            handle.Dispose();
            throw new SqliteException($"Cannot open SQLite database '{path}': {message}", rc);
        }
        var connection = new SqliteConnection(handle, path);
        connection.Check(SqliteNative.sqlite3_busy_timeout(handle, (int)busyTimeout.TotalMilliseconds), "busy_timeout");
        return connection;
    }

    /// <summary>Runs one or more statements that bind nothing and whose rows, if any, are not wanted.</summary>
    public void Execute(string sql)
    {
        var rc = SqliteNative.sqlite3_exec(_handle, sql, IntPtr.Zero, IntPtr.Zero, out var errorMessage);
        if (rc == SqliteNative.SQLITE_OK)
            return;
        var message = errorMessage != IntPtr.Zero ? Marshal.PtrToStringUTF8(errorMessage) : ErrorMessage(_handle);
        SqliteNative.sqlite3_free(errorMessage);
        throw new SqliteException($"SQLite failed ({message}) running: {sql}", ExtendedCode(rc));
    }

    public SqliteStatement Prepare(string sql)
    {
        var rc = SqliteNative.sqlite3_prepare_v2(_handle, sql, -1, out var statement, IntPtr.Zero);
        if (rc != SqliteNative.SQLITE_OK)
        {
            statement.Dispose();
            throw Error(rc, $"preparing: {sql}");
        }
        return new SqliteStatement(this, statement, sql);
    }

    /// <summary>Rows changed by the last INSERT, UPDATE or DELETE on this connection.</summary>
    public int Changes => SqliteNative.sqlite3_changes(_handle);

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits only if it says so. <c>BEGIN IMMEDIATE</c>
    /// takes the database's write lock up front (waiting through the busy timeout), so a read-modify-write can
    /// neither interleave with another process's nor fail half-way on a lock upgrade.
    /// </summary>
    public T InTransaction<T>(bool immediate, Func<SqliteConnection, (T Result, bool Commit)> work)
    {
        Execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
        T result;
        bool commit;
        try
        {
            (result, commit) = work(this);
            Execute(commit ? "COMMIT" : "ROLLBACK");
        }
        catch
        {
            // Never leave the connection inside a transaction: the next operation would silently join it.
            RollbackIfOpen();
            throw;
        }
        return result;
    }

    private void RollbackIfOpen()
    {
        if (SqliteNative.sqlite3_get_autocommit(_handle) != 0)
            return;
        try
        {
            Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // The original error is the one worth reporting; a failed rollback leaves nothing committed either.
        }
    }

    internal void Check(int rc, string context)
    {
        if (rc != SqliteNative.SQLITE_OK)
            throw Error(rc, context);
    }

    internal SqliteException Error(int rc, string context) =>
        new($"SQLite failed ({ErrorMessage(_handle)}) {context}", ExtendedCode(rc));

    private int ExtendedCode(int rc)
    {
        var extended = SqliteNative.sqlite3_extended_errcode(_handle);
        return (extended & 0xFF) == rc ? extended : rc;
    }

    private static string ErrorMessage(SqliteConnectionHandle handle) =>
        Marshal.PtrToStringUTF8(SqliteNative.sqlite3_errmsg(handle)) ?? "unknown error";

    private static string DescribeResultCode(int rc) =>
        Marshal.PtrToStringUTF8(SqliteNative.sqlite3_errstr(rc)) ?? $"result code {rc}";

    public void Dispose() => _handle.Dispose();
}
