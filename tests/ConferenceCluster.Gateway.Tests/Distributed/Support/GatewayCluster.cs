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
using ConferenceCluster.Media.Tests.Video.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace ConferenceCluster.Gateway.Tests.Distributed.Support;

/// <summary>
/// One <see cref="GatewaySilo"/> per Conferencing Node of a deployment (its <c>Silo:Location</c>, <c>Silo:Role</c>
/// and capacity), one cluster on the test PostgreSQL under a cluster id of its own, each with its own SIP port and media
/// port range on 127.0.0.1. One conference, dialled as <c>meet</c>. Membership is fast, so a silo stopped without a leave
/// is declared dead within a second or two.
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

    /// <param name="clusterId">The start of the cluster id; each cluster gets one of its own on the shared database.</param>
    /// <param name="room">The room's settings beyond its alias (quality, View ...); the defaults when null.</param>
    public static async Task<GatewayCluster> StartAsync(string clusterId, IReadOnlyList<NodeSpec> nodes, IReadOnlyList<SystemLocation> locations, string conference,
        Func<VirtualMeetingRoom, VirtualMeetingRoom>? room = null)
    {
        var id = TestPostgres.NewClusterId(clusterId);
        // Up to eight silos and their callers share this process's thread pool on a 2-core machine: a pool that grows
        // by one thread per half second would pause every caller's talker and listener for a second at a busy moment.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        var cluster = new GatewayCluster(conference);
        try
        {
            Dictionary<string, string?> Settings(NodeSpec node, int index) => new()
            {
                ["Cluster:Id"] = id,
                ["Cluster:Storage"] = "postgres",
                ["Cluster:ConnectionString"] = TestPostgres.ConnectionString,
                ["Silo:Name"] = node.Name,
                ["Silo:Location"] = node.Location,
                ["Silo:Role"] = node.Role == NodeRole.Proxying ? "proxying" : "transcoding",
                ["Silo:Capacity:AudioCalls"] = node.CapacityAudioCalls.ToString(CultureInfo.InvariantCulture),
                // Disjoint ranges: every silo binds on 127.0.0.1.
                ["Silo:Ports:MediaRange"] = $"{FirstMediaPort + MediaPortsPerSilo * index}-{FirstMediaPort + MediaPortsPerSilo * (index + 1) - 1}",
                ["Demo:Enabled"] = "false",
                ["Admin:Password"] = AdminPassword,
                ["Cluster:Membership:ProbeTimeout"] = "00:00:00.250",
                ["Cluster:Membership:MaxProbeTimeout"] = "00:00:01",
                ["Cluster:Membership:NumMissedProbesLimit"] = "2",
                ["Cluster:Membership:TableRefreshTimeout"] = "00:00:01",
                ["Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:01",
            };
            // The first silo sets up the cluster's admin credentials; the others then join in parallel.
            cluster._order.AddRange(nodes.Select(n => n.Name));
            cluster._silos[nodes[0].Name] = await GatewaySilo.StartAsync(Settings(nodes[0], 0));
            var rest = await Task.WhenAll(nodes.Skip(1).Select((n, i) => GatewaySilo.StartAsync(Settings(n, i + 1))));
            foreach (var (node, silo) in nodes.Skip(1).Zip(rest)) cluster._silos[node.Name] = silo;
            await WaitUntilAsync(() => cluster._silos.Values.All(s => s.Host.Silo.Membership.Members.Values.Count(m => m.Status == SiloStatus.Active) == nodes.Count),
                $"every silo to see {nodes.Count} active silos");

            var repository = cluster.First.Services.GetRequiredService<ConfigurationRepository>();
            // A location may only name locations that exist: those naming none first.
            foreach (var location in locations.OrderBy(l => l.TranscodingLocation is null && l.PrimaryOverflowLocation is null && l.SecondaryOverflowLocation is null ? 0 : 1))
                Assert.True((await repository.CreateLocationAsync(location)).Succeeded, $"location {location.Name} was not created");
            await cluster.First.CreateRoomAsync(conference, [Alias], room ?? (r => r));
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

    /// <summary>A video phone dialling the conference at <paramref name="signalingNode"/>: a tone caller whose offer has VP8 video on <paramref name="video"/>'s ports.</summary>
    public Task<ToneCaller> CallAsync(string name, double frequency, string signalingNode, VideoTestEndpoint video, bool quiet) =>
        ToneCaller.CallAsync(name, frequency, _silos[signalingNode].SipPort, video, quiet);

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

    /// <summary>
    /// Stops a silo at once: its media and SIP stop, and its silo stops without a graceful leave (Orleans' ungraceful
    /// stop). Failure detection of a real crash is tested with processes and SIGKILL (<see cref="Distributed.MediaSiloKillTests"/>).
    /// </summary>
    public async Task KillAsync(string node)
    {
        _killed.Add(node);
        await _silos[node].Host.KillAsync();
    }

    /// <summary>Leaves the cluster gracefully, as a silo does after SIGTERM and its drain: ShuttingDown, its grains deactivated, Dead.</summary>
    public async Task LeaveAsync(string node)
    {
        _killed.Add(node);
        await _silos[node].Host.StopAsync();
    }

    /// <summary>The node whose silo holds the conference grain's activation now (Orleans' management grain asked per silo).</summary>
    public async Task<string> ConferenceGrainNodeAsync()
    {
        var grainId = AnyLive.Grains.GetGrain<IConferenceGrain>(Conference).GetGrainId();
        var management = AnyLive.Grains.GetGrain<IManagementGrain>(0);
        foreach (var (node, silo) in _silos.Where(s => !_killed.Contains(s.Key)))
        {
            var activations = await management.GetDetailedGrainStatistics(hostsIds: [silo.Host.Silo.Address]);
            if (activations.Any(a => a.GrainId == grainId)) return node;
        }
        throw new InvalidOperationException($"no live silo holds conference {Conference}");
    }

    /// <summary>POSTs to the management API through <paramref name="node"/> (the first live silo by default); returns the status code.</summary>
    public async Task<System.Net.HttpStatusCode> PostAsync(string path, object body, string? node = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{(node is null ? AnyLive : _silos[node]).HttpPort}") };
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
