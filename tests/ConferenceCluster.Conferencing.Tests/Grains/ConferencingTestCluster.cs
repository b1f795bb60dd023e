using System.Globalization;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Schema;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// Orleans' <see cref="InProcessTestCluster"/> with one silo per Conferencing Node, named as in the seed scenarios, each
/// publishing its location, role and capacity as silo metadata (so nodes self-register, as in production), all sharing
/// one cluster database for the configuration (in memory, or a real PostgreSQL one).
/// </summary>
public sealed class ConferencingTestCluster : IAsyncDisposable
{
    /// <summary>Load the tests put on nodes to stand for conferences they do not follow.</summary>
    public const string OtherConferences = "(other conferences)";

    private readonly InProcessTestCluster _cluster;
    private readonly IOwnedClusterDocumentStore _store;
    private readonly Dictionary<string, NodeSpec> _specs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InProcessSiloHandle> _silos = new(StringComparer.Ordinal);
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string? _grainStateDirectory;

    private ConferencingTestCluster(InProcessTestCluster cluster, IOwnedClusterDocumentStore store)
    {
        _cluster = cluster;
        _store = store;
        Repository = new ConfigurationRepository(store);
    }

    public ConfigurationRepository Repository { get; }

    /// <summary>The cluster database every silo shares (configuration, history, alarms).</summary>
    public IClusterDocumentStore Documents => _store;

    /// <summary>The silos started, by node name (stopped and killed ones too).</summary>
    public IReadOnlyDictionary<string, InProcessSiloHandle> Silos
    {
        get { lock (_gate) return new Dictionary<string, InProcessSiloHandle>(_silos); }
    }

    public static Task<ConferencingTestCluster> StartAsync(IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, params string[] conferences) =>
        StartOnStoreAsync(null, locations, nodes, conferences);

    /// <summary>On a given cluster database (a real PostgreSQL one, say); null = in memory.</summary>
    public static Task<ConferencingTestCluster> StartOnStoreAsync(
        IOwnedClusterDocumentStore? store, IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, params string[] conferences) =>
        StartCoreAsync(store, null, null, null, locations, nodes, conferences);

    /// <summary>
    /// With conferencing options of its own (short Host/Guest timers, say) and extra services in every silo (a
    /// recording <see cref="ICallLegObserver"/>, say); the conferences are created with <paramref name="configureRoom"/>.
    /// </summary>
    public static async Task<ConferencingTestCluster> StartAsync(
        Action<ConferencingOptions>? configureConferencing, Action<IServiceCollection>? configureServices,
        IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, Func<VirtualMeetingRoom, VirtualMeetingRoom>? configureRoom, params string[] conferences)
    {
        var cluster = await StartCoreAsync(null, configureConferencing, configureServices, null, locations, nodes, []);
        foreach (var conference in conferences)
            await cluster.CreateConferenceAsync(conference, configureRoom);
        await cluster.RefreshConfigurationAsync();
        return cluster;
    }

    /// <summary>Every option: a store, conferencing options, services, and the silo's grain storage (null: in memory).</summary>
    public static async Task<ConferencingTestCluster> StartCoreAsync(
        IOwnedClusterDocumentStore? store, Action<ConferencingOptions>? configureConferencing, Action<IServiceCollection>? configureServices,
        Action<ISiloBuilder>? configureGrainStorage, IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, string[] conferences)
    {
        store ??= new InMemoryDocumentStore($"test-{Guid.NewGuid():N}"[..16]);
        await store.InitializeAsync();
        string? grainState = null, grainStateDirectory = null;
        if (configureGrainStorage is null)
        {
            grainStateDirectory = Path.Combine(Path.GetTempPath(), $"cc-grains-{Guid.NewGuid():N}");
            grainState = ClusterDocumentStores.SqliteConnectionString(Path.Combine(grainStateDirectory, "grains.db"));
            await OrleansSqliteSchema.ApplyAsync(grainState);
        }
        ConferencingTestCluster? self = null;
        var builder = new InProcessTestClusterBuilder(0);
        builder.Options.InitializeClientOnDeploy = false;
        // The product's grain directory (OrleansSiloSetup): the default one deactivates, on a silo's loss, the survivors'
        // activations whose registration the lost silo held (docs/decisions.md "Orleans").
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10.4: the documented opt-in
        builder.Options.UseDistributedGrainDirectory = true;
#pragma warning restore ORLEANSEXP003
        builder.ConfigureSilo((options, silo) =>
        {
            var spec = self!._specs[options.SiloName];
            silo.Services.AddSingleton<IClusterDocumentStore>(store);
            silo.Services.AddSingleton(TimeProvider.System);
            silo.AddConferencing(new LocalNode(spec.Name, new Dictionary<string, string>
            {
                [NodeMetadataKeys.Location] = spec.Location,
                [NodeMetadataKeys.Role] = spec.Role == NodeRole.Proxying ? "proxying" : "transcoding",
                [NodeMetadataKeys.CapacityAudioCalls] = spec.CapacityAudioCalls.ToString(CultureInfo.InvariantCulture),
            }), o =>
            {
                o.ConfigurationPollInterval = TimeSpan.FromMilliseconds(200);
                configureConferencing?.Invoke(o);
            });
            if (configureGrainStorage is not null)
            {
                configureGrainStorage(silo);
            }
            else
            {
                // Grain state in one SQLite file all the silos share, through Orleans' ADO.NET provider: it outlives a
                // silo, as the product's database does (Orleans' memory storage keeps state in grains that die with it).
                silo.AddAdoNetGrainStorage(ConferencingStorage.Grains, o =>
                {
                    o.Invariant = "System.Data.SQLite";
                    o.ConnectionString = grainState!;
                });
                silo.AddMemoryGrainStorage(ConferencingStorage.PubSub);
                silo.UseInMemoryReminderService();
            }
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            if (configureServices is not null) configureServices(silo.Services);
        });
        var cluster = builder.Build();
        self = new ConferencingTestCluster(cluster, store) { _grainStateDirectory = grainStateDirectory };
        try
        {
            await cluster.DeployAsync();
            // As an operator must: create the locations first, then point them at each other (no dangling references).
            var all = locations.ToList();
            foreach (var location in all)
            {
                var created = await self.Repository.CreateLocationAsync(new SystemLocation(location.Name));
                Assert.True(created.Succeeded, created.Report.ToString());
            }
            foreach (var location in all.Where(l => l != new SystemLocation(l.Name)))
            {
                var current = await self.Repository.GetLocationAsync(location.Name);
                var updated = await self.Repository.UpdateLocationAsync(location, current!.Version);
                Assert.True(updated.Succeeded, updated.Report.ToString());
            }
            foreach (var conference in conferences)
                await self.CreateConferenceAsync(conference);
            var specs = nodes.ToList();
            await Task.WhenAll(specs.Select(self.StartNodeAsync));
            await WaitUntilAsync(() => self.Live.All(s => ActiveSilos(s.Services) == specs.Count), TimeSpan.FromSeconds(30), $"every silo to see {specs.Count} active silos");
            await self.RefreshConfigurationAsync();
            return self;
        }
        catch
        {
            await self.DisposeAsync();
            throw;
        }
    }

    private static int ActiveSilos(IServiceProvider silo) =>
        silo.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);

    public async Task CreateConferenceAsync(string name, Func<VirtualMeetingRoom, VirtualMeetingRoom>? configure = null)
    {
        var room = new VirtualMeetingRoom(name) { Aliases = [new ServiceAlias(name)] };
        var result = await Repository.CreateConferenceAsync(configure?.Invoke(room) ?? room);
        Assert.True(result.Succeeded, result.Report.ToString());
    }

    /// <summary>Starts the node's silo (again, after it stopped): it registers itself and joins.</summary>
    public async Task<InProcessSiloHandle> StartNodeAsync(NodeSpec node)
    {
        lock (_gate)
        {
            _specs[node.Name] = node;
            _gone.Remove(node.Name);
        }
        var (siloPort, gatewayPort) = _cluster.PortAllocator.AllocateConsecutivePortPairs(1);
        var silo = await _cluster.CreateSiloAsync(new InProcessTestSiloSpecificOptions { SiloName = node.Name, SiloPort = siloPort, GatewayPort = gatewayPort });
        lock (_gate) _silos[node.Name] = silo;
        return silo;
    }

    /// <summary>Read-your-writes for tests: every silo reloads now instead of at its next poll.</summary>
    public Task RefreshConfigurationAsync() =>
        Task.WhenAll(Live.Select(s => s.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));

    /// <summary>The silos that are up, by node name.</summary>
    public IEnumerable<LiveSilo> Live
    {
        get
        {
            lock (_gate) return _silos.Where(kv => !_gone.Contains(kv.Key)).Select(kv => new LiveSilo(kv.Key, kv.Value.ServiceProvider, kv.Value.SiloAddress)).ToList();
        }
    }

    public IServiceProvider Services(string node)
    {
        lock (_gate) return _silos[node].ServiceProvider;
    }

    public IGrainFactory GrainsOn(string silo) => Services(silo).GetRequiredService<IGrainFactory>();

    public IGrainFactory AnyGrains => Live.First().Services.GetRequiredService<IGrainFactory>();

    public IConferenceGrain Conference(string name) => AnyGrains.GetGrain<IConferenceGrain>(name);

    public INodeGrain Node(string name) => AnyGrains.GetGrain<INodeGrain>(name);

    /// <summary>A call arriving at <paramref name="signalingNode"/>: its ParticipantGrain activates there and joins.</summary>
    public Task<JoinResult> DialAsync(string participant, string conference, string signalingNode, CallMedia? media = null) =>
        GrainsOn(signalingNode).GetGrain<IParticipantGrain>(participant).Dial(new CallRequest(conference, media ?? CallMedia.Video, DisplayName: participant));

    public async Task<JoinResult> AdmitAsync(string participant, string conference, string signalingNode, CallMedia? media = null)
    {
        var result = await DialAsync(participant, conference, signalingNode, media);
        Assert.True(result.Accepted, $"{participant} was rejected: {result.Rejection} {result.Message}");
        return result;
    }

    public async Task LoadFromOtherConferencesAsync(string node, CapacityUnits units) =>
        Assert.True((await Node(node).TryReserve(OtherConferences, units)).Granted, $"{node} cannot take {units} of other load");

    /// <summary>Fills a node completely, as if other conferences used it all.</summary>
    public async Task FillAsync(string node)
    {
        var status = (await Node(node).GetStatus()).ToNodeStatus();
        if (status.Available > CapacityUnits.Zero) await LoadFromOtherConferencesAsync(node, status.Available);
    }

    public async Task<CapacityUnits> AvailableAsync(string node) => (await Node(node).GetStatus()).ToNodeStatus().Available;

    /// <summary>The node whose silo holds the conference grain's activation (Orleans' management grain).</summary>
    public async Task<string> ConferenceGrainNodeAsync(string conference)
    {
        var grainId = AnyGrains.GetGrain<IConferenceGrain>(conference).GetGrainId();
        foreach (var (node, silo) in Silos.Where(s => !_gone.Contains(s.Key)))
        {
            var activations = await silo.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0)
                .GetDetailedGrainStatistics(hostsIds: [silo.SiloAddress]);
            if (activations.Any(a => a.GrainId == grainId)) return node;
        }
        throw new InvalidOperationException($"no silo holds conference {conference}");
    }

    /// <summary>Leaves gracefully: ShuttingDown, its grains deactivated, Dead; waits until every other silo saw it go.</summary>
    public async Task StopAsync(string node)
    {
        var silo = Gone(node);
        await _cluster.StopSiloAsync(silo);
        await WaitForDeadAsync(node, silo.SiloAddress);
    }

    /// <summary>
    /// Stops the silo without a graceful leave (Orleans' ungraceful stop: no grain deactivation). Failure detection of a
    /// real crash is tested with silo processes and SIGKILL (Integration.Tests).
    /// </summary>
    public async Task KillAsync(string node)
    {
        var silo = Gone(node);
        await _cluster.KillSiloAsync(silo);
        await WaitForDeadAsync(node, silo.SiloAddress);
    }

    private InProcessSiloHandle Gone(string node)
    {
        lock (_gate)
        {
            _gone.Add(node);
            return _silos[node];
        }
    }

    private Task WaitForDeadAsync(string node, SiloAddress address) =>
        WaitUntilAsync(() => Live.All(s => s.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(address) == SiloStatus.Dead),
            TimeSpan.FromSeconds(30), $"{node} declared dead");

    /// <summary>Bounded polling of a condition.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (node, silo) in Silos.Where(s => !_gone.Contains(s.Key)))
        {
            try { await _cluster.KillSiloAsync(silo); } catch (Exception) { /* going down anyway */ }
        }
        await _cluster.DisposeAsync();
        await _store.DisposeAsync();
        if (_grainStateDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_grainStateDirectory, recursive: true); } catch (IOException) { /* a handle still closing: temp files */ }
        }
    }
}

/// <summary>A silo that is up: its node name, services and address.</summary>
public sealed record LiveSilo(string Name, IServiceProvider Services, SiloAddress Address);
