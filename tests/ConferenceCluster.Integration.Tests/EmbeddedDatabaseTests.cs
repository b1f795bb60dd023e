using System.Net;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// Cluster:Storage=sqlite is one embedded silo (Orleans' localhost clustering): several silos on one SQLite file are no
/// longer a cluster. A second silo pointed at the same file is refused with a clear line and exit code 2, and the first
/// runs on untouched (docs/decisions.md, "One silo per embedded database").
/// </summary>
public sealed class EmbeddedDatabaseTests
{
    [Fact]
    public async Task A_second_silo_on_the_same_sqlite_file_is_refused_and_the_first_runs_on()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cc-it-" + Guid.NewGuid().ToString("N")[..10]);
        var database = $"Data Source={Path.Combine(directory, "cluster.db")}";
        var clusterId = TestDatabases.NewClusterId("it-sqlite");
        try
        {
            await using var group = new SiloGroup();
            var first = group.Start("embedded1", clusterId, database, SiloProcess.DefaultMembership, storage: "sqlite");
            await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));

            var second = group.Start("embedded2", clusterId, database, SiloProcess.DefaultMembership, storage: "sqlite");
            await second.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(2, second.ExitCode);
            Assert.Contains("The silo does not start: Another silo already runs on the SQLite database", second.Output);
            Assert.Contains("Cluster:Storage=postgres", second.Output);
            Assert.DoesNotContain("Silo starting", second.Output); // refused before its Orleans silo was built

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first.HttpPort}") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.False(first.HasExited);

            // The lock goes with its silo, even a killed one: the file is free for the next.
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await group.Start("embedded3", clusterId, database, SiloProcess.DefaultMembership, storage: "sqlite").WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
