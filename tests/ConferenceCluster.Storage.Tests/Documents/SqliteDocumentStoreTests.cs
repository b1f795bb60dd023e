using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Documents.Sqlite;
using Microsoft.Data.Sqlite;

namespace ConferenceCluster.Storage.Tests.Documents;

/// <summary>The suite on a fresh SQLite file per test (Microsoft.Data.Sqlite), in a directory that does not exist yet.</summary>
public sealed class SqliteDocumentStoreTests : SharedDatabaseDocumentTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cc-storage-sqlite-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "nested", "cluster.db");

    protected override IOwnedClusterDocumentStore CreateStore(string clusterId) => new SqliteDocumentStore(clusterId, DatabasePath);

    protected override (ClusterStorageKind, string) ProcessConfiguration => (ClusterStorageKind.Sqlite, $"Data Source={DatabasePath}");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_store_creates_the_missing_directory_and_the_file()
    {
        Assert.True(File.Exists(DatabasePath));
        Assert.Equal(DatabasePath, ((SqliteDocumentStore)Documents).Path);
    }

    [Fact]
    public void The_file_is_in_write_ahead_log_mode()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task A_writer_waits_for_another_connections_write_lock_instead_of_failing()
    {
        // Another process holds the write lock for a moment; the store's write must wait (busy timeout), not fail.
        using var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        other.Open();
        using var transaction = other.BeginTransaction(deferred: false);
        var insert = Task.Run(() => Documents.TryInsertAsync("c", "waited", "{}"));
        await Task.Delay(300);
        Assert.False(insert.IsCompleted); // blocked behind the lock, not failed
        transaction.Commit();

        Assert.NotNull(await insert);
    }

    [Fact]
    public async Task Three_os_processes_can_create_a_new_file_together()
    {
        var freshPath = Path.Combine(_directory, "fresh", "cluster.db");
        var clusterId = NewClusterId();
        await using (var first = new SqliteDocumentStore(clusterId, freshPath))
        {
            // The processes race to create the tables; the shared document must exist before they increment it.
            var outputs = StoreProcess.RunAsync(ClusterStorageKind.Sqlite, freshPath, clusterId, processCount: 3, count: 0);
            Assert.All(await outputs, lines => Assert.Equal(["incremented 0"], lines));
            await first.InitializeAsync();
            Assert.Equal(0, await first.GetChangeCounterAsync());
            Assert.NotNull(await first.TryInsertAsync("c", "after", "{}"));
        }
        Assert.True(File.Exists(freshPath));
    }

    [Fact]
    public async Task A_disposed_store_refuses_work_with_a_clear_error()
    {
        var store = CreateStore(NewClusterId());
        await store.InitializeAsync();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("c", "1"));
    }
}

/// <summary>SQLite's private in-memory database works as a store too (one store per database, nothing on disk).</summary>
public sealed class SqliteInMemoryDocumentStoreTests
{
    [Fact]
    public async Task A_memory_data_source_keeps_nothing_on_disk()
    {
        await using var store = ClusterDocumentStores.Create(ClusterStorageKind.Sqlite, "c1", "Data Source=:memory:");
        await store.InitializeAsync();
        Assert.Equal(":memory:", ((SqliteDocumentStore)store).Path);
        Assert.NotNull(await store.TryInsertAsync("c", "1", "{}"));
        Assert.Equal(1, await store.GetChangeCounterAsync());
    }
}
