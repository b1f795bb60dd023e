using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// The management API of whichever silo is still alive (each answers for the whole cluster): the newest silo asked
/// first, a silo that was killed forgotten.
/// </summary>
internal sealed class AdminApi : IDisposable
{
    private readonly List<(string Name, HttpClient Http)> _clients = [];

    public AdminApi(IEnumerable<SiloProcess> silos)
    {
        foreach (var silo in silos) Add(silo);
    }

    public void Add(SiloProcess silo)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}"), Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{SiloProcess.AdminPassword}")));
        _clients.Add((silo.Name, http));
    }

    /// <summary>A killed silo's API is not asked again.</summary>
    public void Forget(string silo)
    {
        foreach (var client in _clients.Where(c => c.Name == silo).ToList())
        {
            client.Http.Dispose();
            _clients.Remove(client);
        }
    }

    private HttpClient Any => _clients[^1].Http;

    public async Task PostAsync(string path, object body, HttpStatusCode expected)
    {
        var response = await Any.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<HttpStatusCode> PostStatusAsync(string path, object body) => (await Any.PostAsJsonAsync(path, body)).StatusCode;

    /// <summary>Creates an audio-only Virtual Meeting Room whose alias is its name.</summary>
    public Task CreateRoomAsync(string name, string callType = "audio") =>
        PostAsync("/api/admin/configuration/v1/conference/", new { name, call_type = callType, aliases = new[] { new { alias = name } } }, HttpStatusCode.Created);

    /// <summary>The objects of a list, or null while the silo cannot answer (starting, or a request failed).</summary>
    public async Task<List<JsonElement>?> TryObjectsAsync(string path)
    {
        try
        {
            var response = await Any.GetAsync(path);
            if (!response.IsSuccessStatusCode)
            {
                LastFailure = $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return null;
            }
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("objects").EnumerateArray().Select(o => o.Clone()).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            LastFailure = $"GET {path}: {e.GetType().Name} {e.Message}";
            return null;
        }
    }

    /// <summary>Why the last list could not be read (for failure messages).</summary>
    public string? LastFailure { get; private set; }

    public async Task<List<JsonElement>> ObjectsAsync(string path) =>
        await TryObjectsAsync(path) ?? throw new Xunit.Sdk.XunitException($"GET {path} failed");

    /// <summary>The names of the nodes the cluster lists in worker_vm status (its active silos), or null while it cannot say.</summary>
    public async Task<IReadOnlyList<string>?> WorkerVmsAsync() =>
        (await TryObjectsAsync("/api/admin/status/v1/worker_vm/?limit=0"))?.Select(w => w.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

    /// <summary>Waits until worker_vm status lists exactly these nodes (bounded); fails with what it listed last.</summary>
    public async Task WaitForWorkerVmsAsync(IEnumerable<string> names, TimeSpan bound, Func<string> diagnostics)
    {
        var expected = names.Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<string>? listed = null;
        await Bounded.WaitUntilAsync(async () => (listed = await WorkerVmsAsync()) is { } l && l.SequenceEqual(expected), bound,
            $"worker_vm to list {string.Join(", ", expected)}", () => $"it listed: {(listed is null ? $"(no answer: {LastFailure})" : string.Join(", ", listed))}{diagnostics()}");
    }

    public void Dispose()
    {
        foreach (var (_, http) in _clients) http.Dispose();
        _clients.Clear();
    }
}
