using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Schema;
using Microsoft.Data.Sqlite;

namespace ConferenceCluster.Storage.Tests.Schema;

/// <summary>The embedded silo's SQLite schema (grain state for Orleans' grain storage, and the documents) on fresh files.</summary>
public sealed class OrleansSqliteSchemaTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cc-storage-schema-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "new", "cluster.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_new_file_gets_the_grain_state_and_document_tables_once()
    {
        var result = await OrleansSqliteSchema.ApplyAsync($"Data Source={DatabasePath}");

        Assert.Equal(["OrleansProviders/Sqlite-QueryCatalog.sql", "OrleansProviders/Sqlite-GrainState.sql", "ConferenceCluster/Sqlite-Documents.sql"], result.Applied);
        Assert.Equal(["ClearStorageKey", "ReadFromStorageKey", "WriteToStorageKey"], Column("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey"));
        Assert.Equal(["cc_change_counter", "cc_documents", "cc_grain_state"],
            Column("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('cc_grain_state', 'cc_documents', 'cc_change_counter') ORDER BY name"));
        Assert.Equal(["wal"], Column("PRAGMA journal_mode"));

        var second = await OrleansSqliteSchema.ApplyAsync($"Data Source={DatabasePath}");
        Assert.Empty(second.Applied);
        Assert.Equal(OrleansSqliteSchema.ScriptNames, second.AlreadyApplied);
        Assert.Equal(["3"], Column("SELECT count(*) FROM conferencecluster_schema_version WHERE sha256 IS NOT NULL"));
    }

    [Fact]
    public async Task Eight_applies_at_once_on_a_new_file_apply_it_exactly_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => OrleansSqliteSchema.ApplyAsync(DatabasePath))));

        var winner = Assert.Single(results, r => r.Applied.Count > 0);
        Assert.Equal(OrleansSqliteSchema.ScriptNames, winner.Applied);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(OrleansSqliteSchema.ScriptNames, r.AlreadyApplied));
    }

    [Fact]
    public async Task The_document_store_works_on_a_file_with_the_schema_and_keeps_its_documents_across_applies()
    {
        await OrleansSqliteSchema.ApplyAsync(DatabasePath);
        await using (var store = ClusterDocumentStores.Create(ClusterStorageKind.Sqlite, "c1", DatabasePath))
        {
            await store.InitializeAsync();
            Assert.NotNull(await store.TryInsertAsync("c", "1", "{}"));
        }
        await OrleansSqliteSchema.ApplyAsync(DatabasePath);
        await using (var store = ClusterDocumentStores.Create(ClusterStorageKind.Sqlite, "c1", DatabasePath))
        {
            await store.InitializeAsync();
            Assert.Equal("{}", (await store.GetAsync("c", "1"))!.Json);
        }
    }

    private List<string> Column(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return values;
    }
}
