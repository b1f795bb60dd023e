using System.Buffers;
using System.Text;
using ConferenceCluster.Runtime.Sql.Sqlite.Native;

namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>A prepared statement with named parameters (<c>@name</c>); columns are read by position.</summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteStatementHandle _handle;
    private readonly string _sql;

    internal SqliteStatement(SqliteConnection connection, SqliteStatementHandle handle, string sql)
    {
        _connection = connection;
        _handle = handle;
        _sql = sql;
    }

    public SqliteStatement Bind(string name, long value)
    {
        _connection.Check(SqliteNative.sqlite3_bind_int64(_handle, IndexOf(name), value), $"binding {name}");
        return this;
    }

    public unsafe SqliteStatement Bind(string name, string? value)
    {
        var index = IndexOf(name);
        if (value is null)
        {
            _connection.Check(SqliteNative.sqlite3_bind_null(_handle, index), $"binding {name}");
            return this;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        // One spare byte keeps the pointer non-null for "": SQLite binds a null pointer as SQL NULL.
        var buffer = ArrayPool<byte>.Shared.Rent(byteCount + 1);
        try
        {
            Encoding.UTF8.GetBytes(value, buffer);
            fixed (byte* text = buffer)
                _connection.Check(SqliteNative.sqlite3_bind_text(_handle, index, text, byteCount, SqliteNative.SQLITE_TRANSIENT), $"binding {name}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return this;
    }

    /// <summary>Advances to the next row: true when one is available, false when the statement is done.</summary>
    public bool Step()
    {
        var rc = SqliteNative.sqlite3_step(_handle);
        return rc switch
        {
            SqliteNative.SQLITE_ROW => true,
            SqliteNative.SQLITE_DONE => false,
            _ => throw _connection.Error(rc, $"running: {_sql}"),
        };
    }

    /// <summary>Runs a statement that returns no rows; the number of rows it changed.</summary>
    public int Execute()
    {
        while (Step())
        {
        }
        return _connection.Changes;
    }

    public bool IsNull(int column) => SqliteNative.sqlite3_column_type(_handle, column) == SqliteNative.SQLITE_NULL;

    public long GetInt64(int column) => SqliteNative.sqlite3_column_int64(_handle, column);

    public int GetInt32(int column) => checked((int)GetInt64(column));

    public unsafe string? GetString(int column)
    {
        // column_text first, then column_bytes: that order gives the length of the UTF-8 form just produced.
        var text = SqliteNative.sqlite3_column_text(_handle, column);
        if (text is null)
            return null;
        return Encoding.UTF8.GetString(text, SqliteNative.sqlite3_column_bytes(_handle, column));
    }

    /// <summary>Rewinds the statement so it can run again (bindings are kept).</summary>
    public void Reset() => SqliteNative.sqlite3_reset(_handle);

    private int IndexOf(string name)
    {
        var index = SqliteNative.sqlite3_bind_parameter_index(_handle, name);
        return index > 0 ? index : throw new ArgumentException($"No parameter {name} in: {_sql}", nameof(name));
    }

    public void Dispose() => _handle.Dispose();
}
