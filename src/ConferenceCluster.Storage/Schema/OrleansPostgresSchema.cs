using Npgsql;

namespace ConferenceCluster.Storage.Schema;

/// <summary>
/// The cluster's PostgreSQL schema: our tables and queries for Orleans' ADO.NET providers (query catalog, membership,
/// grain state, reminders; Sql/OrleansProviders/README.md has the contract they meet) and the configuration documents'
/// tables, listed in Sql/PostgreSQL.manifest. <see cref="ApplyAsync"/> runs them in one transaction under an advisory
/// lock and records each in conferencecluster_schema_version: whichever silo gets the lock first applies them; every
/// other, now or later, finds them recorded and does nothing. scripts/postgres.sh does the same with psql from the
/// same files.
/// </summary>
public static class OrleansPostgresSchema
{
    /// <summary>The table that records which scripts a database has had.</summary>
    public const string VersionTable = SchemaApplier.VersionTable;

    internal const string LockScript = "ConferenceCluster/PostgreSQL-Lock.sql";

    internal static readonly SchemaDialect Dialect = new(
        "ConferenceCluster/PostgreSQL-SchemaVersion.sql",
        "SELECT to_regclass(@table) IS NOT NULL");

    /// <summary>The scripts, in the order they are applied.</summary>
    public static IReadOnlyList<string> ScriptNames => Scripts.Select(s => s.Name).ToList();

    internal static IReadOnlyList<SchemaScript> Scripts { get; } = EmbeddedSql.Manifest(EmbeddedSql.PostgresManifest);

    /// <summary>Applies whatever the database has not had yet; a no-op when another process already did it. All or nothing.</summary>
    public static async Task<SchemaApplyResult> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var result = await SchemaApplier.ApplyAsync(connection, transaction, Dialect, Scripts, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Takes the schema lock for the rest of <paramref name="transaction"/> (waits while another session holds it).</summary>
    internal static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        SchemaApplier.ExecuteAsync(connection, transaction, EmbeddedSql.Read(LockScript), cancellationToken);
}
