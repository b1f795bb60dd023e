using ConferenceCluster.Storage.Documents.Postgres;
using ConferenceCluster.Storage.Documents.Sqlite;
using ConferenceCluster.Storage.Sqlite;

namespace ConferenceCluster.Storage.Documents;

/// <summary>Builds the document store that configuration asks for (<c>Cluster:Storage</c>, <c>Cluster:ConnectionString</c>).</summary>
public static class ClusterDocumentStores
{
    /// <summary>Where the embedded store lives when no connection string is configured (relative to the working directory).</summary>
    public const string DefaultSqlitePath = "./data/cluster.db";

    /// <summary>A store of <paramref name="clusterId"/>'s documents; it connects only on first use (call InitializeAsync).</summary>
    public static IOwnedClusterDocumentStore Create(ClusterStorageKind kind, string clusterId, string? connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        return kind switch
        {
            ClusterStorageKind.Memory => new InMemoryDocumentStore(clusterId),
            ClusterStorageKind.Sqlite => new SqliteDocumentStore(clusterId, ResolveSqlitePath(connectionString)),
            ClusterStorageKind.Postgres => string.IsNullOrWhiteSpace(connectionString)
                ? throw new ArgumentException(
                    "PostgreSQL cluster storage needs a connection string: set Cluster:ConnectionString " +
                    "(for example Host=127.0.0.1;Port=5432;Username=postgres;Database=conferencecluster).",
                    nameof(connectionString))
                : new PostgresDocumentStore(clusterId, connectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown cluster storage kind."),
        };
    }

    /// <summary>
    /// The SQLite file named by a connection string: empty means <see cref="DefaultSqlitePath"/>; otherwise
    /// either <c>Data Source=path</c> (the Microsoft.Data.Sqlite form, other keys ignored) or a plain path.
    /// </summary>
    public static string ResolveSqlitePath(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            return DefaultSqlitePath;
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
                continue;
            var key = part[..equals].Trim();
            if (key.Equals("Data Source", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DataSource", StringComparison.OrdinalIgnoreCase)
                || key.Equals("Filename", StringComparison.OrdinalIgnoreCase))
            {
                var path = part[(equals + 1)..].Trim().Trim('"', '\'');
                return path.Length > 0 ? path : DefaultSqlitePath;
            }
        }
        return connectionString.Trim();
    }

    /// <summary>
    /// The Microsoft.Data.Sqlite connection string of the file that <c>Cluster:ConnectionString</c> names (same
    /// rules as <see cref="ResolveSqlitePath"/>, the path made absolute): what Orleans' ADO.NET grain storage
    /// (invariant <c>System.Data.SQLite</c>) and <see cref="Schema.OrleansSqliteSchema"/> take.
    /// </summary>
    public static string SqliteConnectionString(string? connectionString) =>
        SqliteFiles.ConnectionString(SqliteFiles.FullPath(ResolveSqlitePath(connectionString)));
}
