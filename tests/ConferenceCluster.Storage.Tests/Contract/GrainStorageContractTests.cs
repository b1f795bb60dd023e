using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Schema;
using ConferenceCluster.Storage.Tests.Orleans;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Storage;

namespace ConferenceCluster.Storage.Tests.Contract;

/// <summary>
/// Orleans 10.4.2's own ADO.NET grain storage (<see cref="AdoNetGrainStorage"/>, taken initialized from a running
/// silo) driven against our schema on both databases: PostgreSQL (invariant "Npgsql") and the embedded silo's SQLite
/// file ("System.Data.SQLite"). The behaviours Orleans' grain storage tests check: round trips, etags, and
/// <see cref="InconsistentStateException"/> for every stale or duplicate write. Each test uses grains of its own.
/// </summary>
public sealed class GrainStorageContractTests(GrainStorageContractTests.Silos silos) : IClassFixture<GrainStorageContractTests.Silos>
{
    public const string Postgres = "postgres", Sqlite = "sqlite";
    private const string GrainType = "contract-grain";

    [Theory, InlineData(Postgres), InlineData(Sqlite)]
    public async Task State_round_trips_through_write_read_clear_and_every_write_gets_a_new_etag(string database)
    {
        var storage = silos.Storage(database);
        var grain = NewGrain();

        var fresh = await ReadAsync(storage, grain);
        Assert.False(fresh.RecordExists);
        Assert.Null(fresh.ETag);
        Assert.Null(fresh.State?.Text);

        var state = new GrainState<NoteState> { State = new NoteState { Text = "Zürich ✓" } };
        await storage.WriteStateAsync(GrainType, grain, state);
        var first = state.ETag;
        Assert.True(state.RecordExists);
        var read = await ReadAsync(storage, grain);
        Assert.Equal(("Zürich ✓", first, true), (read.State?.Text, read.ETag, read.RecordExists));

        state.State = new NoteState { Text = "second" };
        await storage.WriteStateAsync(GrainType, grain, state);
        var second = state.ETag;
        Assert.NotEqual(first, second);
        Assert.Equal("second", (await ReadAsync(storage, grain)).State?.Text);

        await storage.ClearStateAsync(GrainType, grain, state);
        var cleared = state.ETag;
        Assert.False(state.RecordExists);
        Assert.NotNull(cleared);
        Assert.DoesNotContain(cleared, new[] { first, second });
        var afterClear = await ReadAsync(storage, grain);
        Assert.Equal((null, cleared, false), (afterClear.State?.Text, afterClear.ETag, afterClear.RecordExists));

        // A cleared row keeps its etag: the next write quotes it.
        afterClear.State = new NoteState { Text = "third" };
        await storage.WriteStateAsync(GrainType, grain, afterClear);
        Assert.Equal("third", (await ReadAsync(storage, grain)).State?.Text);
    }

    [Theory, InlineData(Postgres), InlineData(Sqlite)]
    public async Task A_write_or_clear_quoting_a_stale_etag_throws_InconsistentStateException_and_changes_nothing(string database)
    {
        var storage = silos.Storage(database);
        var grain = NewGrain();
        var state = new GrainState<NoteState> { State = new NoteState { Text = "one" } };
        await storage.WriteStateAsync(GrainType, grain, state);
        var stale = state.ETag;
        state.State = new NoteState { Text = "two" };
        await storage.WriteStateAsync(GrainType, grain, state);

        var staleWriter = new GrainState<NoteState> { State = new NoteState { Text = "lost update" }, ETag = stale, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grain, staleWriter));
        var staleClearer = new GrainState<NoteState> { State = new NoteState(), ETag = stale, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(GrainType, grain, staleClearer));

        var read = await ReadAsync(storage, grain);
        Assert.Equal(("two", state.ETag), (read.State?.Text, read.ETag));
    }

    [Theory, InlineData(Postgres), InlineData(Sqlite)]
    public async Task Of_eight_first_writes_of_a_new_grain_at_once_exactly_one_succeeds(string database)
    {
        var storage = silos.Storage(database);
        var grain = NewGrain();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await storage.WriteStateAsync(GrainType, grain, new GrainState<NoteState> { State = new NoteState { Text = $"writer {i}" } });
                return "written";
            }
            catch (InconsistentStateException)
            {
                return "refused";
            }
        })));

        Assert.Single(outcomes, o => o == "written");
        Assert.Equal(7, outcomes.Count(o => o == "refused"));
        Assert.Equal(1L, await silos.CountRowsAsync(database, grain));
        Assert.StartsWith("writer ", (await ReadAsync(storage, grain)).State?.Text);
    }

    [Theory, InlineData(Postgres), InlineData(Sqlite)]
    public async Task Grains_that_differ_only_in_key_kind_or_extension_keep_their_own_state(string database)
    {
        var storage = silos.Storage(database);
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        var guid = Guid.NewGuid();
        var grains = new[]
        {
            Grain(GrainIdKeyExtensions.CreateIntegerKey(key)),
            Grain(GrainIdKeyExtensions.CreateIntegerKey(key, "A")),
            Grain(GrainIdKeyExtensions.CreateIntegerKey(key, "B")),
            Grain(GrainIdKeyExtensions.CreateGuidKey(guid)),
            Grain(GrainIdKeyExtensions.CreateGuidKey(guid, "A")),
            Grain(IdSpan.Create($"string-key-{key}")),
        };

        foreach (var grain in grains)
            await storage.WriteStateAsync(GrainType, grain, new GrainState<NoteState> { State = new NoteState { Text = grain.ToString() } });

        foreach (var grain in grains)
            Assert.Equal(grain.ToString(), (await ReadAsync(storage, grain)).State?.Text);
    }

    [Theory, InlineData(Postgres), InlineData(Sqlite)]
    public async Task Another_hash_function_neither_hides_a_grains_state_nor_mixes_up_grains_whose_hashes_collide(string database)
    {
        var storage = (AdoNetGrainStorage)silos.Storage(database, Silos.ConstantHashStorage);
        var (grain, other) = (NewGrain(), NewGrain());
        var written = new GrainState<NoteState> { State = new NoteState { Text = "before the hash changed" } };
        await storage.WriteStateAsync(GrainType, grain, written);

        storage.HashPicker = new StorageHasherPicker([new ConstantHasher()]); // this provider instance is this test's own
        await storage.WriteStateAsync(GrainType, other, new GrainState<NoteState> { State = new NoteState { Text = "other" } });

        Assert.Equal("before the hash changed", (await ReadAsync(storage, grain)).State?.Text);
        Assert.Equal("other", (await ReadAsync(storage, other)).State?.Text);
        written.State = new NoteState { Text = "after" };
        await storage.WriteStateAsync(GrainType, grain, written);
        Assert.Equal("after", (await ReadAsync(storage, grain)).State?.Text);
    }

    [Fact]
    public async Task With_DeleteStateOnClear_a_clear_deletes_the_row_and_an_etag_from_before_never_matches_again()
    {
        var storage = silos.Storage(Postgres, Silos.DeleteOnClearStorage);
        var grain = NewGrain();
        var state = new GrainState<NoteState> { State = new NoteState { Text = "one" } };
        await storage.WriteStateAsync(GrainType, grain, state);
        var beforeDelete = state.ETag;

        await storage.ClearStateAsync(GrainType, grain, state);
        Assert.Null(state.ETag);
        Assert.Equal(0L, await silos.CountRowsAsync(Postgres, grain));

        // Written again from nothing: a new row, whose etag is none of the old row's.
        var again = new GrainState<NoteState> { State = new NoteState { Text = "again" } };
        await storage.WriteStateAsync(GrainType, grain, again);
        Assert.NotEqual(beforeDelete, again.ETag);
        var stale = new GrainState<NoteState> { State = new NoteState { Text = "stale" }, ETag = beforeDelete, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GrainType, grain, stale));
        Assert.Equal("again", (await ReadAsync(storage, grain)).State?.Text);
    }

    private static async Task<GrainState<NoteState>> ReadAsync(IGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<NoteState> { State = new NoteState() };
        await storage.ReadStateAsync(GrainType, grain, state);
        return state;
    }

    private static GrainId NewGrain() => Grain(GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid()));

    private static GrainId Grain(IdSpan key) => GrainId.Create(global::Orleans.Runtime.GrainType.Create(GrainType), key);

    /// <summary>Every grain in the same bucket, as in Orleans' hash collision tests.</summary>
    private sealed class ConstantHasher : IHasher
    {
        public string Description => "constant";

        public int Hash(byte[] data) => 42;
    }

    /// <summary>One silo per database, each with our schema and Orleans' ADO.NET grain storage.</summary>
    public sealed class Silos : IAsyncLifetime
    {
        public const string ConstantHashStorage = "constant-hash", DeleteOnClearStorage = "delete-on-clear";

        private readonly string _sqliteDirectory = Path.Combine(Path.GetTempPath(), "cc-storage-contract", Guid.NewGuid().ToString("N"));
        private TestDatabase? _postgres;
        private string _sqliteConnectionString = "";
        private TestSilo? _postgresSilo, _sqliteSilo;

        public IGrainStorage Storage(string database, string name = TestSilo.StorageName) =>
            (database == Postgres ? _postgresSilo : _sqliteSilo)!.Services.GetRequiredKeyedService<IGrainStorage>(name);

        public async Task<long> CountRowsAsync(string database, GrainId grain)
        {
            var sql = $"SELECT count(*) FROM cc_grain_state WHERE grain_type = '{GrainType}' AND {GuidHalves(grain)}";
            if (database == Postgres)
                return await _postgres!.ScalarAsync<long>(sql);
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(_sqliteConnectionString) { Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)(await command.ExecuteScalarAsync())!;
        }

        /// <summary>The two halves Orleans stores a Guid key as (Guid bytes read as two little-endian longs).</summary>
        private static string GuidHalves(GrainId grain)
        {
            var bytes = grain.GetGuidKey(out _).ToByteArray();
            return $"grain_id_n0 = {BitConverter.ToInt64(bytes, 0)} AND grain_id_n1 = {BitConverter.ToInt64(bytes, 8)}";
        }

        public async Task InitializeAsync()
        {
            _postgres = await TestPostgres.CreateDatabaseAsync();
            await OrleansPostgresSchema.ApplyAsync(_postgres.ConnectionString);
            _sqliteConnectionString = ClusterDocumentStores.SqliteConnectionString(Path.Combine(_sqliteDirectory, "cluster.db"));
            await OrleansSqliteSchema.ApplyAsync(_sqliteConnectionString);

            _postgresSilo = await StartAsync("Npgsql", _postgres.ConnectionString, deleteOnClear: true);
            _sqliteSilo = await StartAsync("System.Data.SQLite", _sqliteConnectionString, deleteOnClear: false);
        }

        public async Task DisposeAsync()
        {
            if (_postgresSilo is not null)
                await _postgresSilo.DisposeAsync();
            if (_sqliteSilo is not null)
                await _sqliteSilo.DisposeAsync();
            if (_postgres is not null)
                await _postgres.DisposeAsync();
            if (Directory.Exists(_sqliteDirectory))
                Directory.Delete(_sqliteDirectory, recursive: true);
        }

        private static Task<TestSilo> StartAsync(string invariant, string connectionString, bool deleteOnClear) =>
            TestSilo.StartAsync("contract", "contract-" + invariant, "contract-service", (silo, siloPort, gatewayPort) =>
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort);
                silo.AddAdoNetGrainStorage(TestSilo.StorageName, o => (o.Invariant, o.ConnectionString) = (invariant, connectionString));
                silo.AddAdoNetGrainStorage(ConstantHashStorage, o => (o.Invariant, o.ConnectionString) = (invariant, connectionString));
                if (deleteOnClear)
                    silo.AddAdoNetGrainStorage(DeleteOnClearStorage, o => (o.Invariant, o.ConnectionString, o.DeleteStateOnClear) = (invariant, connectionString, true));
            });
    }
}
