using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Sqlite;

namespace ConferenceCluster.Storage.Schema;

/// <summary>
/// The embedded silo's SQLite schema: our table and queries for Orleans' ADO.NET grain storage (invariant
/// <c>System.Data.SQLite</c>, which Orleans serves through Microsoft.Data.Sqlite; Sql/OrleansProviders/README.md) and
/// the configuration documents' tables, listed in Sql/Sqlite.manifest. The embedded silo is a cluster of one (localhost
/// clustering, in-memory reminders), so there is no membership or reminder table here. Applied once per file in one
/// BEGIN IMMEDIATE transaction and recorded in conferencecluster_schema_version, so silo processes sharing the file
/// may all call it.
/// </summary>
public static class OrleansSqliteSchema
{
    private static readonly SchemaDialect Dialect = new(
        "ConferenceCluster/Sqlite-SchemaVersion.sql",
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @table COLLATE NOCASE)");

    /// <summary>The scripts, in the order they are applied.</summary>
    public static IReadOnlyList<string> ScriptNames => Scripts.Select(s => s.Name).ToList();

    internal static IReadOnlyList<SchemaScript> Scripts { get; } = EmbeddedSql.Manifest(EmbeddedSql.SqliteManifest);

    /// <param name="connectionString">
    /// The file, as <c>Cluster:ConnectionString</c> names it (<c>Data Source=path</c>, a plain path, or empty for
    /// <see cref="ClusterDocumentStores.DefaultSqlitePath"/>); its directory is created if missing.
    /// </param>
    public static async Task<SchemaApplyResult> ApplyAsync(string? connectionString, CancellationToken cancellationToken = default)
    {
        var path = SqliteFiles.FullPath(ClusterDocumentStores.ResolveSqlitePath(connectionString));
        // Microsoft.Data.Sqlite's calls are synchronous underneath: keep the disk and the busy wait off the caller's thread.
        return await Task.Run(async () =>
        {
            await using var connection = SqliteFiles.Open(path);
            await using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the file's write lock
            var result = await SchemaApplier.ApplyAsync(connection, transaction, Dialect, Scripts, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken).ConfigureAwait(false);
    }
}
