using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace ConferenceCluster.Silo.Tests.Api;

/// <summary>
/// One in-process <see cref="SiloHost"/> per Conferencing Node of a seed scenario (its <c>Silo:Location</c>,
/// <c>Silo:Role</c> and <c>Silo:Capacity:AudioCalls</c>), one cluster on the test PostgreSQL under a cluster id of its own
/// (a single node is a memory silo, its own cluster). The platform is configured through the management API of the first
/// host; a call arrives at its signalling node: the ParticipantGrain is dialled through that silo's grain factory, and,
/// prefer-local, activates there.
/// </summary>
internal sealed class ApiTestCluster : IAsyncDisposable
{
    public const string OtherConferences = "(other conferences)";

    private readonly Dictionary<string, SiloHost> _hosts = new(StringComparer.Ordinal);

    private ApiTestCluster(HttpClient http) => Http = http;

    /// <summary>Authenticated client of the first node's management API (any node serves it).</summary>
    public HttpClient Http { get; }

    public IReadOnlyDictionary<string, SiloHost> Hosts => _hosts;

    /// <param name="documents">For a single node only: a configuration store the test owns (to race it); the silo's own by default.</param>
    public static async Task<ApiTestCluster> StartAsync(string clusterId, IReadOnlyList<NodeSpec> nodes, IClusterDocumentStore? documents = null)
    {
        if (documents is not null && nodes.Count > 1)
            throw new ArgumentException("silos of one cluster share the PostgreSQL configuration store", nameof(documents));
        var cluster = nodes.Count > 1 ? TestSilos.PostgresCluster(clusterId) : new Dictionary<string, string?> { ["Cluster:Id"] = clusterId };
        SiloHost Create(NodeSpec node) => TestSilos.Create(cluster.With(new Dictionary<string, string?>
        {
            ["Silo:Name"] = node.Name,
            ["Silo:Location"] = node.Location,
            ["Silo:Role"] = node.Role == NodeRole.Proxying ? "proxying" : "transcoding",
            ["Silo:Capacity:AudioCalls"] = node.CapacityAudioCalls.ToString(CultureInfo.InvariantCulture),
            ["Admin:Password"] = TestSilos.AdminPassword,
        }), documents: documents);

        // The first host sets up the cluster's admin credentials; the others then join in parallel.
        var first = Create(nodes[0]);
        await first.StartAsync();
        var api = new ApiTestCluster(TestSilos.Http(first, "admin", TestSilos.AdminPassword));
        api._hosts[nodes[0].Name] = first;
        try
        {
            var rest = nodes.Skip(1).Select(n => (n.Name, Host: Create(n))).ToList();
            foreach (var (name, host) in rest) api._hosts[name] = host;
            await Task.WhenAll(rest.Select(r => r.Host.StartAsync()));
            await Eventually.TrueAsync(() => api._hosts.Values.All(h => h.ActiveSilos() == nodes.Count), $"every silo to see {nodes.Count} active silos");
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
        return api;
    }

    /// <summary>Starts the nodes, then configures the locations and conferences through the API, as an operator would.</summary>
    public static async Task<ApiTestCluster> StartAsync(string clusterId, IReadOnlyList<NodeSpec> nodes, IReadOnlyList<SystemLocation> locations, params string[] conferences)
    {
        var cluster = await StartAsync(clusterId, nodes);
        await cluster.ConfigureLocationsAsync(locations);
        foreach (var conference in conferences) await cluster.CreateConferenceAsync(conference);
        await cluster.RefreshConfigurationAsync();
        return cluster;
    }

    // ---- configuration through the API ----

    /// <summary>As an operator must: create the locations, then link them by resource URI (no dangling references).</summary>
    public async Task ConfigureLocationsAsync(IEnumerable<SystemLocation> locations)
    {
        var all = locations.ToList();
        var uris = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var location in all)
        {
            var created = await SendAsync(HttpMethod.Post, "/api/admin/configuration/v1/system_location/", new { name = location.Name }, HttpStatusCode.Created);
            uris[location.Name] = created.GetProperty("resource_uri").GetString()!;
        }
        foreach (var location in all.Where(l => l.TranscodingLocation is not null || l.PrimaryOverflowLocation is not null || l.SecondaryOverflowLocation is not null))
        {
            string? Uri(string? name) => name is null ? null : uris[name];
            await SendAsync(HttpMethod.Patch, uris[location.Name], new Dictionary<string, string?>
            {
                ["transcoding_location"] = Uri(location.TranscodingLocation),
                ["overflow_location1"] = Uri(location.PrimaryOverflowLocation),
                ["overflow_location2"] = Uri(location.SecondaryOverflowLocation),
            });
        }
    }

    public Task<JsonElement> CreateConferenceAsync(string name, object? settings = null)
    {
        var body = JsonSerializer.SerializeToNode(settings ?? new { })!.AsObject();
        body["name"] = name;
        body["aliases"] ??= new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["alias"] = name });
        return SendAsync(HttpMethod.Post, "/api/admin/configuration/v1/conference/", body, HttpStatusCode.Created);
    }

    /// <summary>Read-your-writes for tests: every silo reloads its configuration view now instead of at its next poll.</summary>
    public Task RefreshConfigurationAsync() =>
        Task.WhenAll(_hosts.Values.Select(h => h.Silo.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));

    // ---- calls through the signalling node's gateway ----

    /// <summary>The grain factory of <paramref name="node"/>'s silo: a grain a call places prefer-local activates there.</summary>
    public IGrainFactory GrainsOn(string node) => _hosts[node].Silo.GrainFactory;

    /// <summary>A call arriving at <paramref name="signalingNode"/>, declaring its call type.</summary>
    public Task<JoinResult> DialAsync(string participant, string conference, string signalingNode, CallMedia? media = null) =>
        GrainsOn(signalingNode).GetGrain<IParticipantGrain>(participant)
            .Dial(new CallRequest(conference, media ?? CallMedia.Video, DisplayName: participant));

    public async Task AdmitAsync(string participant, string conference, string signalingNode, CallMedia? media = null)
    {
        var result = await DialAsync(participant, conference, signalingNode, media);
        Assert.True(result.Accepted, $"{participant} was rejected: {result.Rejection} {result.Message}");
    }

    public Task HangupAsync(string participant, string signalingNode) =>
        GrainsOn(signalingNode).GetGrain<IParticipantGrain>(participant).Hangup();

    /// <summary>Load on a node standing for conferences the test does not follow (the NodeGrain's ledger, asked from the first silo).</summary>
    public async Task LoadFromOtherConferencesAsync(string node, CapacityUnits units) =>
        Assert.True((await GrainsOn(_hosts.Keys.First()).GetGrain<INodeGrain>(node).TryReserve(OtherConferences, units)).Granted,
            $"{node} cannot take {units} of other load");

    /// <summary>Fills a node completely, as if other conferences used it all; what is free comes from the status API.</summary>
    public async Task FillAsync(string node)
    {
        var status = await GetAsync($"/api/admin/status/v1/worker_vm/{node}/");
        var free = status.GetProperty("media_capacity_units").GetInt64() - status.GetProperty("media_load_units").GetInt64();
        if (free > 0) await LoadFromOtherConferencesAsync(node, new CapacityUnits(free));
    }

    // ---- status through the API ----

    public async Task<JsonElement> GetAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Http.GetAsync(path);
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Http.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Every active participant by id, from <c>/api/admin/status/v1/participant/</c>.</summary>
    public async Task<Dictionary<string, JsonElement>> ParticipantsAsync() =>
        (await GetAsync("/api/admin/status/v1/participant/?limit=0")).GetProperty("objects").EnumerateArray()
        .ToDictionary(p => p.GetProperty("id").GetString()!);

    /// <summary>Where a participant's call is: (signalling node, proxy node, media node).</summary>
    public async Task<(string Node, string? ProxyNode, string MediaNode)> PlacementOfAsync(string participant)
    {
        var p = (await ParticipantsAsync())[participant];
        return (p.GetProperty("node").GetString()!, p.GetProperty("proxy_node").GetString(), p.GetProperty("media_node").GetString()!);
    }

    /// <summary>Every backplane from <c>/api/admin/status/v1/backplane/</c> as (type, node, node) with the nodes ordered.</summary>
    public async Task<HashSet<(string Type, string NodeA, string NodeB)>> BackplanesAsync(string? conference = null) =>
        (await GetAsync("/api/admin/status/v1/backplane/?limit=0" + (conference is null ? "" : "&conference=" + Uri.EscapeDataString(conference))))
        .GetProperty("objects").EnumerateArray()
        .Select(b => Backplane(b.GetProperty("type").GetString()!, b.GetProperty("media_node").GetString()!, b.GetProperty("remote_media_node").GetString()!))
        .ToHashSet();

    public static (string, string, string) Backplane(string type, string a, string b) =>
        string.CompareOrdinal(a, b) < 0 ? (type, a, b) : (type, b, a);

    public async Task<long> LoadUnitsAsync(string node) =>
        (await GetAsync($"/api/admin/status/v1/worker_vm/{node}/")).GetProperty("media_load_units").GetInt64();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Task.WhenAll(_hosts.Values.Select(h => h.DisposeAsync().AsTask()));
    }
}
