using ConferenceCluster.Runtime.Sql.Postgres;
using ConferenceCluster.Runtime.Sql.Sqlite;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

public sealed class ClusterStoreFactoryTests
{
    [Fact]
    public async Task Memory_gives_the_in_memory_store()
    {
        await using var store = ClusterStoreFactory.Create(ClusterStorageKind.Memory, "c1", null);
        Assert.IsType<InMemoryClusterStore>(store);
        Assert.Equal("c1", store.ClusterId);
    }

    [Theory]
    [InlineData(null, ClusterStoreFactory.DefaultSqlitePath)]
    [InlineData("", ClusterStoreFactory.DefaultSqlitePath)]
    [InlineData("  ", ClusterStoreFactory.DefaultSqlitePath)]
    [InlineData("Data Source=/var/lib/cc/cluster.db", "/var/lib/cc/cluster.db")]
    [InlineData("data source = relative/c.db ; Cache=Shared", "relative/c.db")]
    [InlineData("Mode=ReadWriteCreate;DataSource=\"/tmp/x y.db\"", "/tmp/x y.db")]
    [InlineData("/srv/cluster.db", "/srv/cluster.db")]
    [InlineData("data/a=b.db", "data/a=b.db")]
    public void The_sqlite_path_comes_from_a_data_source_or_a_plain_path(string? connectionString, string expected)
    {
        Assert.Equal(expected, ClusterStoreFactory.ResolveSqlitePath(connectionString));
    }

    [Fact]
    public async Task Sqlite_opens_the_named_file_creating_its_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cc-factory-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "sub", "cluster.db");
        try
        {
            await using (var store = ClusterStoreFactory.Create(ClusterStorageKind.Sqlite, "c1", $"Data Source={path}"))
            {
                var sqlite = Assert.IsType<SqliteClusterStore>(store);
                Assert.Equal(path, sqlite.Path);
                await store.InitializeAsync();
            }
            Assert.True(File.Exists(path));
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Postgres_without_a_connection_string_names_the_setting(string? connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterStoreFactory.Create(ClusterStorageKind.Postgres, "c1", connectionString));
        Assert.Contains("Cluster:ConnectionString", error.Message);
    }

    [Fact]
    public async Task Postgres_with_a_connection_string_gives_the_postgres_store_without_connecting()
    {
        await using var store = ClusterStoreFactory.Create(ClusterStorageKind.Postgres, "c1", "Host=127.0.0.1;Port=1;Username=nobody");
        Assert.IsType<PostgresClusterStore>(store);
    }
}
