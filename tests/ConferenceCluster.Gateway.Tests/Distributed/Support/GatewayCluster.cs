using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Tests.Grains;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Gateway.Tests.Distributed.Support;

/// <summary>
/// One <see cref="GatewaySilo"/> per Conferencing Node of a deployment (its <c>Silo:Location</c>, <c>Silo:Role</c>
/// and capacity), sharing one in-memory cluster store, each with its own SIP port and media port range on 127.0.0.1.
/// One conference, dialled as <c>meet</c>. Membership is fast, so a killed silo is declared dead within a second or so.
/// </summary>
internal sealed class GatewayCluster : IAsyncDisposable
{
    public const string Alias = "meet";
    private const string AdminPassword = "distributed media tests";
    private const string OtherConferences = "(other conferences)";

    private readonly Dictionary<string, GatewaySilo> _silos = new(StringComparer.Ordinal);
    private static readonly AuthenticationHeaderValue Admin =
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{AdminPassword}")));

    private const int FirstMediaPort = 46000;
    private const int MediaPortsPerSilo = 200;

    private readonly List<string> _order = [];

    private GatewayCluster(string conference) => Conference = conference;

    public string Conference { get; }

    public IReadOnlyDictionary<string, GatewaySilo> Silos => _silos;

    public static async Task<GatewayCluster> StartAsync(string clusterId, IReadOnlyList<NodeSpec> nodes, IReadOnlyList<SystemLocation> locations, string conference)
    {
        // Up to eight silos and their callers share this process's thread pool on a 2-core machine: a pool that grows
        // by one thread per half second would pause every caller's talker and listener for a second at a busy moment.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        var store = new InMemoryClusterStore(clusterId);
        var cluster = new GatewayCluster(conference);
        try
        {
            Dictionary<string, string?> Settings(NodeSpec node, int index) => new()
            {
                ["Silo:Name"] = node.Name,
                ["Silo:Location"] = node.Location,
                ["Silo:Role"] = node.Role == NodeRole.Proxying ? "proxying" : "transcoding",
                ["Silo:Capacity:AudioCalls"] = node.CapacityAudioCalls.ToString(CultureInfo.InvariantCulture),
                // Disjoint ranges: every silo binds on 127.0.0.1.
                ["Silo:Ports:MediaRange"] = $"{FirstMediaPort + MediaPortsPerSilo * index}-{FirstMediaPort + MediaPortsPerSilo * (index + 1) - 1}",
                ["Demo:Enabled"] = "false",
                ["Admin:Password"] = AdminPassword,
                ["Cluster:Membership:ProbePeriod"] = "00:00:00.250",
                ["Cluster:Membership:ProbeTimeout"] = "00:00:00.250",
                ["Cluster:Membership:NumMissedProbesLimit"] = "2",
                ["Cluster:Membership:TableRefreshTimeout"] = "00:00:00.500",
                ["Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:00.500",
            };
            // The first silo sets up the cluster's admin credentials; the others then join in parallel.
            cluster._order.AddRange(nodes.Select(n => n.Name));
            cluster._silos[nodes[0].Name] = await GatewaySilo.StartAsync(Settings(nodes[0], 0), store);
            var rest = await Task.WhenAll(nodes.Skip(1).Select((n, i) => GatewaySilo.StartAsync(Settings(n, i + 1), store)));
            foreach (var (node, silo) in nodes.Skip(1).Zip(rest)) cluster._silos[node.Name] = silo;
            await WaitUntilAsync(() => cluster._silos.Values.All(s => s.Host.Silo.Membership.Current.ActiveSilos.Count() == nodes.Count),
                $"every silo to see {nodes.Count} active silos");

            var repository = cluster.First.Services.GetRequiredService<ConfigurationRepository>();
            // A location may only name locations that exist: those naming none first.
            foreach (var location in locations.OrderBy(l => l.TranscodingLocation is null && l.PrimaryOverflowLocation is null && l.SecondaryOverflowLocation is null ? 0 : 1))
                Assert.True((await repository.CreateLocationAsync(location)).Succeeded, $"location {location.Name} was not created");
            await cluster.First.CreateRoomAsync(conference, Alias);
            await Task.WhenAll(cluster._silos.Values.Select(s => s.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private GatewaySilo First => _silos.Values.First();

    public GatewaySilo this[string node] => _silos[node];

    /// <summary>A caller dialling the conference at <paramref name="signalingNode"/>'s SIP port.</summary>
    public Task<ToneCaller> CallAsync(string name, double frequency, string signalingNode) =>
        ToneCaller.CallAsync(name, frequency, _silos[signalingNode].SipPort);

    /// <summary>The node whose media port range holds <paramref name="port"/>: where a caller's media was sent.</summary>
    public string MediaNodeOfPort(int port) => _order[(port - FirstMediaPort) / MediaPortsPerSilo];

    /// <summary>Load on a node standing for conferences the test does not follow, to steer the allocator (its rules choose by load).</summary>
    public async Task LoadAsync(string node, CapacityUnits units)
    {
        var granted = await AnyLive.Grains.GetGrain<INodeGrain>(node).TryReserve(OtherConferences, units);
        Assert.True(granted.Granted, $"{node} cannot take {units} of other load");
    }

    /// <summary>Fills a node completely, as if other conferences used it all.</summary>
    public async Task FillAsync(string node)
    {
        var status = await AnyLive.Grains.GetGrain<INodeGrain>(node).GetStatus();
        var free = status.Node.MediaCapacity - status.Load;
        if (free > CapacityUnits.Zero) await LoadAsync(node, free);
    }

    /// <summary>Where the caller's call is, from the conference's own status: (signalling node, proxy node, media node).</summary>
    public async Task<(string Node, string? ProxyNode, string MediaNode)> PlacementOfAsync(ToneCaller caller)
    {
        var status = await AnyLive.ConferenceStatusAsync(Conference);
        var p = status.Participants.Single(p => p.Leg?.RemoteAddress == $"127.0.0.1:{caller.SipPort}");
        return (p.SignalingNode, p.MediaProxyNode, p.MediaNode);
    }

    public Task<ConferenceStatus> StatusAsync() => AnyLive.ConferenceStatusAsync(Conference);

    /// <summary>A GET of the management API (status resources), through the first live silo.</summary>
    public async Task<JsonElement> GetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AnyLive.HttpPort}") };
        http.DefaultRequestHeaders.Authorization = Admin;
        var response = await http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Stops a silo at once, as a crashed process: no goodbye to the cluster, its media and SIP simply stop.</summary>
    public async Task KillAsync(string node)
    {
        await _silos[node].Host.Silo.KillAsync();
        _killed.Add(node);
    }

    /// <summary>Leaves the cluster gracefully, as a silo does after SIGTERM and its drain: ShuttingDown, its grains deactivated, Dead.</summary>
    public async Task LeaveAsync(string node)
    {
        _killed.Add(node);
        await _silos[node].Host.Silo.StopAsync();
    }

    /// <summary>The node whose silo hosts the conference grain now (the grain directory's entry).</summary>
    public async Task<string> ConferenceGrainNodeAsync()
    {
        var grain = new Runtime.Core.GrainId(typeof(IConferenceGrain).FullName!, Conference);
        var host = (await AnyLive.Host.Silo.Store.Directory.LookupAsync(grain))!.Silo;
        return _silos.Single(s => s.Value.Host.Silo.Address == host).Key;
    }

    /// <summary>POSTs to the management API through the first live silo; returns the status code.</summary>
    public async Task<System.Net.HttpStatusCode> PostAsync(string path, object body)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AnyLive.HttpPort}") };
        http.DefaultRequestHeaders.Authorization = Admin;
        return (await http.PostAsJsonAsync(path, body)).StatusCode;
    }

    private readonly HashSet<string> _killed = new(StringComparer.Ordinal);

    private GatewaySilo AnyLive => _silos.First(s => !_killed.Contains(s.Key)).Value;

    /// <summary>The last log lines of every silo, to explain a failure.</summary>
    public string Logs(int perSilo = 25) => string.Join("\n", _silos.Select(s => $"--- {s.Key}\n{s.Value.Logs.Tail(perSilo)}"));

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Bounded polling of an asynchronous condition (never block a pool thread on it: the silos, the callers' talkers and listeners share the pool).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_silos.Values.Select(async s =>
        {
            try { await s.DisposeAsync(); } catch (Exception) { /* a killed silo's host may complain on the way down */ }
        }));
    }
}
