using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Storage;
using ConferenceCluster.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// An in-process cluster with one silo per Conferencing Node, named as in the seed scenarios, each carrying its
/// location, role and capacity as silo metadata (so nodes self-register, as in production).
/// </summary>
/// <remarks>
/// <see cref="TestCluster.StartSiloAsync"/> builds its own <c>SiloOptions</c> and offers no way to set their metadata,
/// so the silos are built here against the TestCluster's store with the same test settings it uses.
/// </remarks>
public sealed class ConferencingTestCluster : IAsyncDisposable
{
    /// <summary>Load the tests put on nodes to stand for conferences they do not follow.</summary>
    public const string OtherConferences = "(other conferences)";

    private readonly TestCluster _cluster;
    private readonly Dictionary<string, Silo> _silos = new(StringComparer.Ordinal);
    private Action<ConferencingOptions>? _configureConferencing;
    private Action<IServiceCollection>? _configureServices;

    private ConferencingTestCluster(TestCluster cluster)
    {
        _cluster = cluster;
        Repository = new ConfigurationRepository(cluster.Store);
    }

    public ConfigurationRepository Repository { get; }

    public TestCluster TestCluster => _cluster;

    public IReadOnlyDictionary<string, Silo> Silos => _silos;

    public static Task<ConferencingTestCluster> StartAsync(IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, params string[] conferences) =>
        StartOnStoreAsync(null, locations, nodes, conferences);

    /// <summary>On a given cluster database (a real PostgreSQL one, say); null = in memory.</summary>
    public static Task<ConferencingTestCluster> StartOnStoreAsync(
        IClusterStore? store, IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, params string[] conferences) =>
        StartCoreAsync(store, null, null, locations, nodes, conferences);

    /// <summary>
    /// With conferencing options of its own (short Host/Guest timers, say) and extra services in every silo (a
    /// recording <see cref="ICallLegObserver"/>, say); the conferences are created with <paramref name="configureRoom"/>.
    /// </summary>
    public static async Task<ConferencingTestCluster> StartAsync(
        Action<ConferencingOptions>? configureConferencing, Action<IServiceCollection>? configureServices,
        IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, Func<VirtualMeetingRoom, VirtualMeetingRoom>? configureRoom, params string[] conferences)
    {
        var cluster = await StartCoreAsync(null, configureConferencing, configureServices, locations, nodes, []);
        foreach (var conference in conferences)
            await cluster.CreateConferenceAsync(conference, configureRoom);
        await cluster.RefreshConfigurationAsync();
        return cluster;
    }

    private static async Task<ConferencingTestCluster> StartCoreAsync(
        IClusterStore? store, Action<ConferencingOptions>? configureConferencing, Action<IServiceCollection>? configureServices,
        IEnumerable<SystemLocation> locations, IEnumerable<NodeSpec> nodes, string[] conferences)
    {
        var cluster = new ConferencingTestCluster(await TestCluster.StartAsync(new TestClusterOptions { InitialSilosCount = 0, Store = store }))
        {
            _configureConferencing = configureConferencing,
            _configureServices = configureServices,
        };
        // As an operator must: create the locations first, then point them at each other (no dangling references).
        var all = locations.ToList();
        foreach (var location in all)
        {
            var created = await cluster.Repository.CreateLocationAsync(new SystemLocation(location.Name));
            Assert.True(created.Succeeded, created.Report.ToString());
        }
        foreach (var location in all.Where(l => l != new SystemLocation(l.Name)))
        {
            var current = await cluster.Repository.GetLocationAsync(location.Name);
            var updated = await cluster.Repository.UpdateLocationAsync(location, current!.Version);
            Assert.True(updated.Succeeded, updated.Report.ToString());
        }
        foreach (var conference in conferences)
            await cluster.CreateConferenceAsync(conference);
        var specs = nodes.ToList();
        await Task.WhenAll(specs.Select(cluster.StartNodeAsync));
        await TestCluster.WaitUntilAsync(() => cluster.Live.All(s => s.Membership.Current.ActiveSilos.Count() == specs.Count),
            TimeSpan.FromSeconds(30), $"every silo to see {specs.Count} active silos");
        await cluster.RefreshConfigurationAsync();
        return cluster;
    }

    public async Task CreateConferenceAsync(string name, Func<VirtualMeetingRoom, VirtualMeetingRoom>? configure = null)
    {
        var room = new VirtualMeetingRoom(name) { Aliases = [new ServiceAlias(name)] };
        var result = await Repository.CreateConferenceAsync(configure?.Invoke(room) ?? room);
        Assert.True(result.Succeeded, result.Report.ToString());
    }

    public async Task<Silo> StartNodeAsync(NodeSpec node)
    {
        var silo = new SiloBuilder(new SiloOptions
            {
                ClusterId = _cluster.ClusterId,
                SiloName = node.Name,
                AdvertisedAddress = "127.0.0.1",
                ListenAddress = "127.0.0.1",
                SiloPort = 0,
                GatewayPort = 0,
                Metadata = new()
                {
                    [SiloMetadataKeys.Location] = node.Location,
                    [SiloMetadataKeys.Role] = node.Role == NodeRole.Proxying ? "proxying" : "transcoding",
                    [ConferencingMetadataKeys.CapacityAudioCalls] = node.CapacityAudioCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            })
            .UseStore(_cluster.Store)
            .ConfigureMembership(TestClusterOptions.UseFastMembership)
            .ConfigureMessaging(o => o.ResponseTimeout = TimeSpan.FromSeconds(10))
            .AddConferencing(o =>
            {
                o.ConfigurationPollInterval = TimeSpan.FromMilliseconds(200);
                _configureConferencing?.Invoke(o);
            })
            .ConfigureServices(services => _configureServices?.Invoke(services))
            .Build();
        // AddConferencing's startup task has loaded the configuration and registered the node by now.
        await silo.StartAsync();
        lock (_silos) _silos[node.Name] = silo;
        return silo;
    }

    /// <summary>Read-your-writes for tests: every silo reloads now instead of at its next poll.</summary>
    public Task RefreshConfigurationAsync() =>
        Task.WhenAll(Live.Select(s => s.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));

    public IEnumerable<Silo> Live => _silos.Values.Where(s => !s.Terminated.IsCompleted);

    public IGrainFactory GrainsOn(string silo) => _silos[silo].GrainFactory;

    public IGrainFactory AnyGrains => Live.First().GrainFactory;

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

    public async Task StopAsync(string node)
    {
        await _cluster.StopSiloAsync(_silos[node]);
        await WaitForGoneAsync(node);
    }

    public async Task KillAsync(string node)
    {
        var address = _silos[node].Address;
        await _cluster.KillSiloAsync(_silos[node]);
        await TestCluster.WaitUntilAsync(
            () => Live.All(s => s.Membership.Current.GetStatus(address) == Runtime.Membership.SiloStatus.Dead), TimeSpan.FromSeconds(30), $"{node} declared dead");
    }

    private Task WaitForGoneAsync(string node)
    {
        var address = _silos[node].Address;
        return TestCluster.WaitUntilAsync(
            () => Live.All(s => s.Membership.Current.GetStatus(address) == Runtime.Membership.SiloStatus.Dead), TimeSpan.FromSeconds(30), $"{node} gone");
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Live.Select(s => s.KillAsync()));
        await _cluster.DisposeAsync();
    }
}
