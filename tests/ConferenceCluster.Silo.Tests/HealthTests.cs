using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Silo.Tests;

public class HealthTests
{
    [Fact]
    public async Task Health_is_ok_while_the_silo_is_active()
    {
        await using var host = await TestSilos.StartAsync(new InMemoryClusterStore("health"), new Dictionary<string, string?> { ["Silo:Name"] = "h1" });
        using var http = TestSilos.Http(host);

        var response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("active", body.GetProperty("silo_status").GetString());
        Assert.Equal("h1", body.GetProperty("silo").GetString());
    }

    [Fact]
    public async Task Health_is_503_until_the_silo_has_joined()
    {
        var store = new GatedStore(new InMemoryClusterStore("health-gated"));
        await using var host = TestSilos.Create(store);
        var starting = host.StartAsync();
        await store.InitializeEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var http = TestSilos.Http(host);

        var before = await http.GetAsync("/health");
        store.ReleaseInitialize.SetResult();
        await starting;
        var after = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal("unavailable", (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Client_status_is_503_until_the_node_takes_calls_then_200_without_auth()
    {
        var store = new GatedStore(new InMemoryClusterStore("client-status"));
        await using var host = TestSilos.Create(store, new Dictionary<string, string?> { ["Silo:Name"] = "cs1", ["Silo:Capacity:AudioCalls"] = "100" });
        var starting = host.StartAsync();
        await store.InitializeEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var http = TestSilos.Http(host);

        var before = await http.GetAsync("/api/client/v2/status");
        store.ReleaseInitialize.SetResult();
        await starting;
        var after = await http.GetAsync("/api/client/v2/status");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var body = await after.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.False(body.GetProperty("result").GetProperty("maintenance_mode").GetBoolean());
        Assert.False(body.GetProperty("result").GetProperty("draining").GetBoolean());
        Assert.Equal("cs1", body.GetProperty("result").GetProperty("silo").GetString());
    }

    /// <summary>A store whose opening waits for the test, so the host can be seen between HTTP start and silo join.</summary>
    private sealed class GatedStore(IClusterStore inner) : IClusterStore
    {
        public TaskCompletionSource InitializeEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource ReleaseInitialize { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string ClusterId => inner.ClusterId;
        public IMembershipTable Membership => inner.Membership;
        public IGrainDirectoryStore Directory => inner.Directory;
        public IClusterDocumentStore Documents => inner.Documents;

        public async Task InitializeAsync(CancellationToken cancellationToken = default)
        {
            InitializeEntered.TrySetResult();
            await ReleaseInitialize.Task.WaitAsync(cancellationToken);
            await inner.InitializeAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
