using ConferenceCluster.Storage.Schema;
using Npgsql;

namespace ConferenceCluster.Storage.Tests.Schema;

/// <summary>The command a silo exposes as <c>--migrate</c>: arguments, output and exit codes.</summary>
public sealed class SchemaCommandTests
{
    [Theory]
    [InlineData(new string[0], "--storage is missing")]
    [InlineData(new[] { "--storage", "oracle" }, "unknown storage 'oracle'")]
    [InlineData(new[] { "--storage" }, "--storage needs a value")]
    [InlineData(new[] { "--storage", "postgres", "--verbose", "x" }, "unknown argument --verbose")]
    [InlineData(new[] { "--storage", "postgres" }, "PostgreSQL needs --connection-string")]
    [InlineData(new[] { "--storage=postgres", "--connection-string=" }, "PostgreSQL needs --connection-string")]
    public async Task Bad_arguments_exit_2_and_say_what_is_wrong(string[] args, string problem)
    {
        var (exitCode, _, error) = await RunAsync(args);
        Assert.Equal(2, exitCode);
        Assert.Contains(problem, error);
    }

    [Fact]
    public async Task Memory_storage_has_nothing_to_apply()
    {
        var (exitCode, output, _) = await RunAsync(["--storage", "memory"]);
        Assert.Equal(0, exitCode);
        Assert.Contains("nothing to apply", output);
    }

    [Fact]
    public async Task Sqlite_applies_to_the_configured_file_then_finds_it_applied()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cc-storage-command-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var connectionString = $"Data Source={Path.Combine(directory, "cluster.db")}";
            var (first, firstOutput, _) = await RunAsync(["--storage", "sqlite", "--connection-string", connectionString]);
            var (second, secondOutput, _) = await RunAsync(["--storage=SQLite", $"--connection-string={connectionString}"]);

            Assert.Equal((0, 0), (first, second));
            Assert.Contains("schema: applied OrleansProviders/Sqlite-GrainState.sql", firstOutput);
            Assert.Contains("schema: already applied OrleansProviders/Sqlite-GrainState.sql", secondOutput);
            Assert.DoesNotContain("schema: applied", secondOutput);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_applies_to_the_configured_database()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var (exitCode, output, error) = await RunAsync(["--storage", "postgres", "--connection-string", database.ConnectionString]);
        Assert.True(exitCode == 0, error);
        Assert.Contains("schema: applied OrleansProviders/PostgreSQL-Reminders.sql", output);
        Assert.Contains($"Database={database.Name}", output);
    }

    [Fact]
    public async Task An_unreachable_postgres_exits_1_without_printing_the_password()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString)
        {
            Port = OrleansPostgresSchemaTests.ClosedPort(), Password = "s3cret-password", Timeout = 5,
        }.ConnectionString;

        var (exitCode, output, error) = await RunAsync(["--storage", "postgres", "--connection-string", connectionString]);

        Assert.Equal(1, exitCode);
        Assert.Contains("not applied, nothing changed", error);
        Assert.DoesNotContain("s3cret-password", output + error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SchemaCommand.RunAsync(args, output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }
}
