using System.Data.Common;

namespace ConferenceCluster.Storage.Schema;

/// <summary>
/// Applies the scripts of a manifest once per database, inside one transaction that the caller has made exclusive
/// (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE): each script not yet recorded in
/// conferencecluster_schema_version is run and recorded, so a second or concurrent apply finds it recorded and does
/// nothing. Shared by both databases through plain ADO.NET; only the SQL of <see cref="SchemaDialect"/> differs.
/// </summary>
internal static class SchemaApplier
{
    /// <summary>What the version table's applied_by says for scripts this code ran (scripts/postgres.sh writes its own name).</summary>
    public const string AppliedBy = "ConferenceCluster.Storage";

    public const string VersionTable = "conferencecluster_schema_version";

    private const string ReadRecords = "SELECT script, sha256 FROM conferencecluster_schema_version";

    private const string InsertRecord = """
        INSERT INTO conferencecluster_schema_version (script, sha256, applied_by) VALUES (@script, @sha256, @applied_by)
        """;

    public static async Task<SchemaApplyResult> ApplyAsync(
        DbConnection connection, DbTransaction transaction, SchemaDialect dialect, IReadOnlyList<SchemaScript> scripts,
        CancellationToken cancellationToken)
    {
        // Only DDL where something is missing: once a DBA has applied everything, a silo whose user may not create
        // tables (PostgreSQL 15 no longer lets every user create in schema public) applies nothing and succeeds.
        if (!await TableExistsAsync(connection, transaction, dialect, VersionTable, cancellationToken).ConfigureAwait(false))
            await ExecuteAsync(connection, transaction, EmbeddedSql.Read(dialect.VersionTableScript), cancellationToken).ConfigureAwait(false);

        var recorded = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using (var read = Command(connection, transaction, ReadRecords))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                recorded[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1).Trim();
        }

        List<string> applied = [], alreadyApplied = [], changed = [];
        foreach (var script in scripts)
        {
            if (recorded.TryGetValue(script.Name, out var sha256))
            {
                alreadyApplied.Add(script.Name);
                if (sha256 is not null && sha256 != script.Sha256)
                    changed.Add(script.Name);
            }
            else
            {
                await ExecuteAsync(connection, transaction, script.Sql, cancellationToken).ConfigureAwait(false);
                await RecordAsync(connection, transaction, script.Name, script.Sha256, cancellationToken).ConfigureAwait(false);
                applied.Add(script.Name);
            }
        }
        return new SchemaApplyResult(applied, alreadyApplied, changed);
    }

    public static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<bool> TableExistsAsync(
        DbConnection connection, DbTransaction transaction, SchemaDialect dialect, string table, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, dialect.TableExistsQuery);
        AddParameter(command, "@table", table);
        return Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, string script, string sha256, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, InsertRecord);
        AddParameter(command, "@script", script);
        AddParameter(command, "@sha256", sha256);
        AddParameter(command, "@applied_by", AppliedBy);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        // The scripts are DDL that a loaded 2-core machine may take a while over; the lock wait counts too.
        command.CommandTimeout = 300;
        return command;
    }

    private static void AddParameter(DbCommand command, string name, string? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = System.Data.DbType.String;
        parameter.Value = (object?)value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>The SQL that differs between the databases a schema is applied to.</summary>
/// <param name="VersionTableScript">The embedded script that creates conferencecluster_schema_version if missing.</param>
/// <param name="TableExistsQuery">One boolean: whether the table named by <c>@table</c> exists (the version table).</param>
internal sealed record SchemaDialect(string VersionTableScript, string TableExistsQuery);
