namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>A SQLite call failed; <see cref="ResultCode"/> is SQLite's (extended) result code.</summary>
public sealed class SqliteException(string message, int resultCode) : Exception(message)
{
    public int ResultCode { get; } = resultCode;
}
