using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Documents.Postgres;
using ConferenceCluster.Storage.Documents.Sqlite;

namespace ConferenceCluster.Storage.Tests.Documents;

public sealed class ClusterDocumentStoresTests
{
    [Fact]
    public async Task Memory_gives_the_in_memory_store()
    {
        await using var store = ClusterDocumentStores.Create(ClusterStorageKind.Memory, "c1", null);
        Assert.IsType<InMemoryDocumentStore>(store);
        Assert.Equal("c1", store.ClusterId);
    }

    [Theory]
    [InlineData(null, ClusterDocumentStores.DefaultSqlitePath)]
    [InlineData("", ClusterDocumentStores.DefaultSqlitePath)]
    [InlineData("  ", ClusterDocumentStores.DefaultSqlitePath)]
    [InlineData("Data Source=/var/lib/cc/cluster.db", "/var/lib/cc/cluster.db")]
    [InlineData("data source = relative/c.db ; Cache=Shared", "relative/c.db")]
    [InlineData("Mode=ReadWriteCreate;DataSource=\"/tmp/x y.db\"", "/tmp/x y.db")]
    [InlineData("Filename=/srv/f.db", "/srv/f.db")]
    [InlineData("Data Source=", ClusterDocumentStores.DefaultSqlitePath)]
    [InlineData("/srv/cluster.db", "/srv/cluster.db")]
    [InlineData("data/a=b.db", "data/a=b.db")]
    public void The_sqlite_path_comes_from_a_data_source_or_a_plain_path(string? connectionString, string expected)
    {
        Assert.Equal(expected, ClusterDocumentStores.ResolveSqlitePath(connectionString));
    }

    [Fact]
    public void The_sqlite_connection_string_for_orleans_names_the_same_file_with_a_full_path()
    {
        var connectionString = ClusterDocumentStores.SqliteConnectionString("relative/dir/c.db");
        var parsed = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        Assert.Equal(Path.GetFullPath("relative/dir/c.db"), parsed.DataSource);
        Assert.Equal(Path.GetFullPath(ClusterDocumentStores.DefaultSqlitePath),
            new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ClusterDocumentStores.SqliteConnectionString(null)).DataSource);
    }

    [Fact]
    public async Task Sqlite_opens_the_named_file_creating_its_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cc-storage-factory-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "sub", "cluster.db");
        try
        {
            await using (var store = ClusterDocumentStores.Create(ClusterStorageKind.Sqlite, "c1", $"Data Source={path}"))
            {
                var sqlite = Assert.IsType<SqliteDocumentStore>(store);
                Assert.Equal(path, sqlite.Path);
                Assert.False(File.Exists(path)); // nothing happens before first use
                await store.InitializeAsync();
            }
            Assert.True(File.Exists(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Postgres_without_a_connection_string_names_the_setting(string? connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterDocumentStores.Create(ClusterStorageKind.Postgres, "c1", connectionString));
        Assert.Contains("Cluster:ConnectionString", error.Message);
    }

    [Fact]
    public async Task Postgres_with_a_connection_string_gives_the_postgres_store_without_connecting()
    {
        await using var store = ClusterDocumentStores.Create(ClusterStorageKind.Postgres, "c1", "Host=127.0.0.1;Port=1;Username=nobody");
        Assert.IsType<PostgresDocumentStore>(store);
    }

    [Fact]
    public void An_empty_cluster_id_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ClusterDocumentStores.Create(ClusterStorageKind.Memory, "", null));
    }
}
