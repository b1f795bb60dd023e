using System.Globalization;
using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Storage.Tests.Documents;

/// <summary>
/// What only a database shared by several silo processes has to prove: separate store instances in this process
/// (each with its own connections) and separate OS processes still agree.
/// </summary>
public abstract class SharedDatabaseDocumentTests : DocumentStoreConformanceTests
{
    private const int ProcessCount = 3;

    /// <summary>How a separate process reaches this test's database, through <see cref="ClusterDocumentStores"/>.</summary>
    protected abstract (ClusterStorageKind Kind, string ConnectionString) ProcessConfiguration { get; }

    [Fact]
    public async Task Documents_written_by_three_store_instances_keep_versions_and_counter_consistent()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, ProcessCount).Select(_ => Task.Run(() => OpenStoreAsync(ClusterId))));
        Assert.NotNull(await stores[0].TryInsertAsync("c", "shared", "0"));
        const int incrementsPerStore = 10;

        await Task.WhenAll(stores.Select(store => Task.Run(() => StoreProcess.IncrementAsync(store, incrementsPerStore))));

        var final = (await stores[1].GetAsync("c", "shared"))!;
        Assert.Equal((ProcessCount * incrementsPerStore).ToString(CultureInfo.InvariantCulture), final.Json);
        Assert.Equal(1 + ProcessCount * incrementsPerStore, final.Version);
        Assert.Equal(1 + ProcessCount * incrementsPerStore, await stores[2].GetChangeCounterAsync());
    }

    [Fact]
    public async Task Documents_written_by_three_os_processes_keep_versions_and_counter_consistent()
    {
        const int incrementsPerProcess = 8;
        var (kind, connectionString) = ProcessConfiguration;
        Assert.NotNull(await Documents.TryInsertAsync("c", StoreProcess.SharedDocument, "0"));

        var outputs = await StoreProcess.RunAsync(kind, connectionString, ClusterId, ProcessCount, incrementsPerProcess);

        Assert.All(outputs, lines => Assert.Equal([$"incremented {incrementsPerProcess}"], lines));
        var final = (await Documents.GetAsync("c", StoreProcess.SharedDocument))!;
        Assert.Equal((ProcessCount * incrementsPerProcess).ToString(CultureInfo.InvariantCulture), final.Json);
        Assert.Equal(1 + ProcessCount * incrementsPerProcess, final.Version);
        Assert.Equal(1 + ProcessCount * incrementsPerProcess, await Documents.GetChangeCounterAsync());
    }
}
