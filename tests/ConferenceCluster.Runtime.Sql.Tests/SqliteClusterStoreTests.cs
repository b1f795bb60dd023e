using ConferenceCluster.Runtime.Sql.Sqlite;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>The suite on a fresh SQLite file per test, in a directory that does not exist yet.</summary>
public sealed class SqliteClusterStoreTests : SharedDatabaseConformanceTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cc-sqlite-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "nested", "cluster.db");

    protected override IClusterStore CreateStore(string clusterId) => new SqliteClusterStore(clusterId, DatabasePath);

    protected override (ClusterStorageKind, string) ProcessConfiguration => (ClusterStorageKind.Sqlite, $"Data Source={DatabasePath}");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_store_creates_the_missing_directory_and_the_file()
    {
        Assert.True(File.Exists(DatabasePath));
        Assert.Equal(DatabasePath, ((SqliteClusterStore)Store).Path);
    }

    [Fact]
    public void The_file_is_in_write_ahead_log_mode()
    {
        using var connection = SqliteConnection.Open(DatabasePath, TimeSpan.FromSeconds(5));
        using var statement = connection.Prepare("PRAGMA journal_mode");
        Assert.True(statement.Step());
        Assert.Equal("wal", statement.GetString(0));
    }

    [Fact]
    public async Task Three_os_processes_can_create_a_new_file_together()
    {
        var freshPath = Path.Combine(_directory, "fresh", "cluster.db");
        var clusterId = NewClusterId();

        await StoreProcess.RunAsync(StoreProcess.Join, ClusterStorageKind.Sqlite, freshPath, clusterId, processCount: 3, count: 2);

        await using var store = new SqliteClusterStore(clusterId, freshPath);
        await store.InitializeAsync();
        var data = await store.Membership.ReadAllAsync();
        Assert.Equal(6, data.Version.Version);
        Assert.Equal(6, data.Rows.Count);
    }
}

/// <summary>SQLite's private in-memory database works as a store too (one store per database, nothing on disk).</summary>
public sealed class SqliteInMemoryClusterStoreTests
{
    [Fact]
    public async Task A_memory_data_source_keeps_nothing_on_disk()
    {
        await using var store = ClusterStoreFactory.Create(ClusterStorageKind.Sqlite, "c1", "Data Source=:memory:");
        await store.InitializeAsync();
        Assert.Equal(":memory:", ((SqliteClusterStore)store).Path);
        Assert.NotNull(await store.Documents.TryInsertAsync("c", "1", "{}"));
        Assert.Equal(1, await store.Documents.GetChangeCounterAsync());
    }
}
