using System.Diagnostics;
using System.Security.Cryptography;
using ConferenceCluster.Storage.Schema;
using Npgsql;

namespace ConferenceCluster.Storage.Tests.Schema;

/// <summary>The PostgreSQL schema applied to empty databases of the test server, each test in a database of its own.</summary>
public sealed class OrleansPostgresSchemaTests
{
    /// <summary>
    /// The query keys Orleans 10.4.2 reads: clustering 9 required and the optional CleanupDefunctSiloEntryKey,
    /// persistence 3 required and the optional DeleteStorageKey, reminders 7 (Sql/OrleansProviders/README.md).
    /// </summary>
    public static readonly string[] OrleansQueryKeys =
    [
        "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "MembershipReadRowKey",
        "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "UpsertReminderRowKey", "ReadReminderRowKey", "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task An_empty_database_gets_every_script_once_recorded_with_its_sha256()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();

        var result = await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);

        Assert.Equal(OrleansPostgresSchema.ScriptNames, result.Applied);
        Assert.Empty(result.AlreadyApplied);
        Assert.Equal(OrleansQueryKeys.Order(StringComparer.Ordinal), (await database.ColumnAsync("SELECT querykey FROM orleansquery")).Order(StringComparer.Ordinal));
        foreach (var table in new[] { "orleansquery", "cc_membership_version", "cc_membership_silo", "cc_grain_state", "cc_reminder", "cc_documents", "cc_change_counter" })
            Assert.True(await database.ScalarAsync<bool>($"SELECT to_regclass('{table}') IS NOT NULL"), table);
        // The recorded hash is the committed file's, as sha256sum prints it, so an operator can check what was applied.
        var sourceDirectory = Path.Combine(RepositoryRoot(), "src", "ConferenceCluster.Storage", "Sql");
        var recorded = await database.ColumnAsync("SELECT script || ' ' || sha256 || ' ' || applied_by FROM conferencecluster_schema_version ORDER BY applied_at, script");
        Assert.Equal(
            OrleansPostgresSchema.ScriptNames.Select(s => $"{s} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(sourceDirectory, s))))} ConferenceCluster.Storage").Order(StringComparer.Ordinal),
            recorded.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_apply_is_a_no_op()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);

        var second = await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);

        Assert.Empty(second.Applied);
        Assert.Equal(OrleansPostgresSchema.ScriptNames, second.AlreadyApplied);
        Assert.Empty(second.ChangedSinceApplied);
        Assert.Equal(OrleansQueryKeys.Length, (int)await database.ScalarAsync<long>("SELECT count(*) FROM orleansquery"));
    }

    [Fact]
    public async Task Eight_silos_applying_at_once_to_an_empty_database_apply_it_exactly_once_without_error()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();

        var applies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => OrleansPostgresSchema.ApplyAsync(database.ConnectionString))));

        var winner = Assert.Single(applies, r => r.Applied.Count > 0);
        Assert.Equal(OrleansPostgresSchema.ScriptNames, winner.Applied);
        Assert.All(applies.Where(r => r != winner), r =>
        {
            Assert.Empty(r.Applied);
            Assert.Equal(OrleansPostgresSchema.ScriptNames, r.AlreadyApplied);
        });
        Assert.Equal(OrleansQueryKeys.Length, (int)await database.ScalarAsync<long>("SELECT count(*) FROM orleansquery"));
        Assert.Equal(OrleansPostgresSchema.ScriptNames.Count, (int)await database.ScalarAsync<long>("SELECT count(*) FROM conferencecluster_schema_version"));
    }

    [Fact]
    public async Task A_failing_script_rolls_the_whole_apply_back_and_a_later_apply_succeeds()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        // A table squatting on the name of the grain state script's table makes the third script fail.
        await database.ExecuteAsync("CREATE TABLE cc_grain_state (x int)");

        var error = await Assert.ThrowsAsync<PostgresException>(() => OrleansPostgresSchema.ApplyAsync(database.ConnectionString));

        Assert.Equal(PostgresErrorCodes.DuplicateTable, error.SqlState);
        Assert.False(await database.ScalarAsync<bool>("SELECT to_regclass('orleansquery') IS NOT NULL")); // the first script went too
        Assert.False(await database.ScalarAsync<bool>("SELECT to_regclass('cc_membership_silo') IS NOT NULL")); // and the second
        Assert.False(await database.ScalarAsync<bool>("SELECT to_regclass('conferencecluster_schema_version') IS NOT NULL"));

        await database.ExecuteAsync("DROP TABLE cc_grain_state");
        Assert.Equal(OrleansPostgresSchema.ScriptNames, (await OrleansPostgresSchema.ApplyAsync(database.ConnectionString)).Applied);
    }

    [Fact]
    public async Task A_query_catalog_that_exists_already_gets_our_queries_and_keeps_other_keys()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        // As Orleans' own scripts (run by hand, or by an older release of ours) or another Orleans provider leave it.
        await database.ExecuteAsync("""
            CREATE TABLE OrleansQuery (QueryKey varchar(64) NOT NULL PRIMARY KEY, QueryText varchar(8000) NOT NULL);
            INSERT INTO OrleansQuery VALUES ('GatewaysQueryKey', 'SELECT 1 FROM somebody_elses_table'), ('QueueStreamMessageKey', 'kept');
            """);

        var result = await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);

        Assert.Equal(OrleansPostgresSchema.ScriptNames, result.Applied);
        Assert.Equal(OrleansQueryKeys.Append("QueueStreamMessageKey").Order(StringComparer.Ordinal),
            (await database.ColumnAsync("SELECT querykey FROM orleansquery")).Order(StringComparer.Ordinal));
        Assert.Contains("cc_membership_silo", await database.ScalarAsync<string>("SELECT querytext FROM orleansquery WHERE querykey = 'GatewaysQueryKey'"));
        Assert.Equal("kept", await database.ScalarAsync<string>("SELECT querytext FROM orleansquery WHERE querykey = 'QueueStreamMessageKey'"));
    }

    [Fact]
    public async Task A_script_that_changed_since_it_was_applied_is_reported_not_re_run()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);
        // As if a release had edited a script that databases had applied.
        await database.ExecuteAsync("UPDATE conferencecluster_schema_version SET sha256 = repeat('0', 64) WHERE script = 'OrleansProviders/PostgreSQL-Membership.sql'");

        var result = await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);

        Assert.Empty(result.Applied);
        Assert.Equal(["OrleansProviders/PostgreSQL-Membership.sql"], result.ChangedSinceApplied);
        Assert.Contains(result.Describe(), line => line.Contains("OrleansProviders/PostgreSQL-Membership.sql") && line.Contains("changed"));
    }

    [Fact]
    public async Task A_silo_user_without_create_rights_works_on_a_schema_a_dba_applied()
    {
        var role = "cc_storage_silo_" + Guid.NewGuid().ToString("N")[..12];
        await using (var database = await TestPostgres.CreateDatabaseAsync())
        {
            await OrleansPostgresSchema.ApplyAsync(database.ConnectionString); // the DBA, as the database's owner
            await database.ExecuteAsync($"CREATE ROLE {role} LOGIN");
            await database.ExecuteAsync($"REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}");
            var silo = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role }.ConnectionString;
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(silo, "CREATE TABLE not_allowed (x int)"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);

            var result = await OrleansPostgresSchema.ApplyAsync(silo);
            await using var store = new Storage.Documents.Postgres.PostgresDocumentStore("c1", silo);
            await store.InitializeAsync();

            Assert.Empty(result.Applied);
            Assert.Equal(OrleansPostgresSchema.ScriptNames, result.AlreadyApplied);
            Assert.NotNull(await store.TryInsertAsync("c", "1", "{}"));
            Assert.Equal(1, await store.GetChangeCounterAsync());
        }
        // The database (and with it every grant to the role) is gone, so the role can go too.
        await ExecuteAsync(TestPostgres.ConnectionString, $"DROP ROLE {role}");
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_the_drivers_error()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Port = ClosedPort(), Timeout = 5 }.ConnectionString;
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => OrleansPostgresSchema.ApplyAsync(unreachable));
    }

    [Fact]
    public async Task Postgres_sh_schema_and_ApplyAsync_agree_whichever_runs_first()
    {
        await using var byPsqlFirst = await TestPostgres.CreateDatabaseAsync();
        await using var byCodeFirst = await TestPostgres.CreateDatabaseAsync();

        await PostgresShSchemaAsync(byPsqlFirst.Name);
        var afterPsql = await OrleansPostgresSchema.ApplyAsync(byPsqlFirst.ConnectionString);
        Assert.Empty(afterPsql.Applied);
        Assert.Empty(afterPsql.ChangedSinceApplied); // same files, same hashes
        Assert.Equal(OrleansPostgresSchema.ScriptNames, afterPsql.AlreadyApplied);
        Assert.Equal(OrleansQueryKeys.Length, (int)await byPsqlFirst.ScalarAsync<long>("SELECT count(*) FROM orleansquery"));

        await OrleansPostgresSchema.ApplyAsync(byCodeFirst.ConnectionString);
        await PostgresShSchemaAsync(byCodeFirst.Name); // must not run the scripts a second time (they would fail)
        Assert.Equal(["ConferenceCluster.Storage"], (await byCodeFirst.ColumnAsync("SELECT DISTINCT applied_by FROM conferencecluster_schema_version")));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary><c>bash scripts/postgres.sh schema DATABASE</c> against the test server (its port from the test's connection string).</summary>
    private static async Task PostgresShSchemaAsync(string database)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot() };
        start.ArgumentList.Add("scripts/postgres.sh");
        start.ArgumentList.Add("schema");
        start.ArgumentList.Add(database);
        start.Environment["PGPORT_CC"] = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(hangGuard.Token);
        var error = process.StandardError.ReadToEndAsync(hangGuard.Token);
        await process.WaitForExitAsync(hangGuard.Token);
        Assert.True(process.ExitCode == 0, $"postgres.sh schema exited {process.ExitCode}: {await output}{await error}");
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConferenceCluster.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no ConferenceCluster.sln above {AppContext.BaseDirectory}");
    }

    internal static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port; // closed again when the listener goes
    }
}
