using System.Net;
using System.Text.Json;
using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Silo.Security;

namespace ConferenceCluster.Silo.Tests;

public class GeneratedPasswordTests
{
    private const string GeneratedEvent = "AdminPasswordGenerated";
    private const string WorkerVm = "/api/admin/status/v1/worker_vm/";

    private static string LoggedPassword(CapturedLogs logs) =>
        (string)Assert.Single(logs.WithEvent(GeneratedEvent)).Values["AdminPassword"]!;

    [Fact]
    public async Task The_first_silo_of_a_cluster_logs_a_generated_password_once_and_it_works()
    {
        var logs = new CapturedLogs();
        await using var host = await TestSilos.StartAsync(logs: logs);

        var password = LoggedPassword(logs);
        using var right = TestSilos.Http(host, "admin", password);
        using var wrong = TestSilos.Http(host, "admin", password + "x");

        Assert.True(password.Length >= 20, "a generated password has at least 20 characters of a 57-letter alphabet");
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync(WorkerVm)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync(WorkerVm)).StatusCode); // the second check takes the remembered path
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(WorkerVm)).StatusCode);
    }

    [Fact]
    public async Task Only_a_salted_pbkdf2_hash_is_stored()
    {
        var logs = new CapturedLogs();
        var store = new InMemoryDocumentStore("hash-only");
        await using var host = await TestSilos.StartAsync(logs: logs, documents: store);

        var document = await store.GetAsync(AdminCredentials.Collection, AdminCredentials.DocumentId);

        Assert.NotNull(document);
        Assert.DoesNotContain(LoggedPassword(logs), document.Json);
        var stored = JsonDocument.Parse(document.Json).RootElement;
        Assert.Equal("pbkdf2-sha256", stored.GetProperty("algorithm").GetString());
        Assert.True(stored.GetProperty("iterations").GetInt32() >= 600_000);
        Assert.Equal(16, Convert.FromBase64String(stored.GetProperty("salt").GetString()!).Length);
    }

    [Fact]
    public async Task A_later_silo_of_the_cluster_logs_nothing_and_accepts_the_same_password()
    {
        var cluster = TestSilos.PostgresCluster("later");
        var firstLogs = new CapturedLogs();
        var laterLogs = new CapturedLogs();
        await using var first = await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = "first" }), firstLogs);
        await using var later = await TestSilos.StartAsync(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = "later" }), laterLogs);

        using var http = TestSilos.Http(later, "admin", LoggedPassword(firstLogs));

        Assert.Empty(laterLogs.WithEvent(GeneratedEvent));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(WorkerVm)).StatusCode);
    }

    [Fact]
    public async Task Silos_starting_together_agree_on_one_password()
    {
        var cluster = TestSilos.PostgresCluster("together");
        var logs = new CapturedLogs();
        var hosts = Enumerable.Range(0, 3)
            .Select(i => TestSilos.Create(cluster.With(new Dictionary<string, string?> { ["Silo:Name"] = $"s{i}" }), logs))
            .ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.StartAsync()));

            var password = LoggedPassword(logs);
            foreach (var host in hosts)
            {
                using var http = TestSilos.Http(host, "admin", password);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(WorkerVm)).StatusCode);
            }
        }
        finally
        {
            foreach (var host in hosts)
                await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_configured_password_is_used_as_is_and_nothing_is_generated()
    {
        var store = new InMemoryDocumentStore("configured");
        var logs = new CapturedLogs();
        await using var host = await TestSilos.StartAsync(new Dictionary<string, string?> { ["Admin:Password"] = TestSilos.AdminPassword }, logs, store);

        Assert.Empty(logs.WithEvent(GeneratedEvent));
        Assert.Null(await store.GetAsync(AdminCredentials.Collection, AdminCredentials.DocumentId));
    }
}
