using ConferenceCluster.Runtime.Client;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Runtime.Testing;

/// <summary>Options of an in-process test cluster (Orleans' TestClusterOptions).</summary>
public sealed class TestClusterOptions
{
    public string ClusterId { get; set; } = "test-" + Guid.NewGuid().ToString("N")[..8];
    public int InitialSilosCount { get; set; } = 2;
    /// <summary>The cluster database; in-memory unless a test brings a SQL store.</summary>
    public IClusterStore? Store { get; set; }
    /// <summary>Applied to every silo's builder (grains, services, option overrides).</summary>
    public Action<SiloBuilder>? ConfigureSilo { get; set; }
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Membership timings short enough that a killed silo is declared dead within about two seconds.</summary>
    public static void UseFastMembership(ClusterMembershipOptions options)
    {
        options.ProbePeriod = TimeSpan.FromMilliseconds(250);
        options.ProbeTimeout = TimeSpan.FromMilliseconds(250);
        options.NumMissedProbesLimit = 2;
        options.TableRefreshTimeout = TimeSpan.FromMilliseconds(500);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromMilliseconds(500);
        options.MaxJoinAttemptTime = TimeSpan.FromSeconds(30);
    }
}

/// <summary>
/// N silos in one process over loopback, sharing one cluster store (Orleans' TestCluster): add a silo,
/// stop one gracefully, kill one, and connect cluster clients to their gateways.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly List<Silo> _silos = [];
    private readonly List<ClusterClient> _clients = [];
    private int _siloCounter;

    private TestCluster(TestClusterOptions options, IClusterStore store)
    {
        _options = options;
        Store = store;
    }

    public IClusterStore Store { get; }
    public string ClusterId => _options.ClusterId;

    /// <summary>Silos that were started and have not been stopped or killed.</summary>
    public IReadOnlyList<Silo> Silos
    {
        get
        {
            lock (_silos) return _silos.Where(s => !s.Terminated.IsCompleted).ToList();
        }
    }

    public static async Task<TestCluster> StartAsync(TestClusterOptions? options = null)
    {
        options ??= new TestClusterOptions();
        var cluster = new TestCluster(options, options.Store ?? new InMemoryClusterStore(options.ClusterId));
        await Task.WhenAll(Enumerable.Range(0, options.InitialSilosCount).Select(_ => cluster.StartSiloAsync())).ConfigureAwait(false);
        await cluster.WaitForActiveSilosAsync(options.InitialSilosCount).ConfigureAwait(false);
        return cluster;
    }

    /// <param name="configureOptions">Silo identity beyond its name: metadata such as system location and role.</param>
    public async Task<Silo> StartSiloAsync(string? name = null, Action<SiloBuilder>? configure = null, Action<SiloOptions>? configureOptions = null)
    {
        name ??= $"silo{Interlocked.Increment(ref _siloCounter)}";
        var options = new SiloOptions
        {
            ClusterId = _options.ClusterId,
            SiloName = name,
            AdvertisedAddress = "127.0.0.1",
            ListenAddress = "127.0.0.1",
            SiloPort = 0,
            GatewayPort = 0,
        };
        configureOptions?.Invoke(options);
        var builder = new SiloBuilder(options)
            .UseStore(Store)
            .UseLoggerFactory(_options.LoggerFactory)
            .ConfigureMembership(TestClusterOptions.UseFastMembership);
        _options.ConfigureSilo?.Invoke(builder);
        configure?.Invoke(builder);
        var silo = builder.Build();
        await silo.StartAsync().ConfigureAwait(false);
        lock (_silos) _silos.Add(silo);
        return silo;
    }

    public Task StopSiloAsync(Silo silo) => silo.StopAsync();

    public Task KillSiloAsync(Silo silo) => silo.KillAsync();

    /// <summary>A client that finds gateways in the membership table, as an external process would.</summary>
    public async Task<ClusterClient> CreateClientAsync(ClusterClientOptions? options = null)
    {
        var client = new ClusterClient(options ?? new ClusterClientOptions(), Store.Membership, _options.LoggerFactory);
        await client.ConnectAsync().ConfigureAwait(false);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Waits until every live silo sees exactly <paramref name="count"/> active silos.</summary>
    public Task WaitForActiveSilosAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Silos.All(s => s.Membership.Current.ActiveSilos.Count() == count), timeout ?? TimeSpan.FromSeconds(30),
            $"every silo to see {count} active silos");

    /// <summary>Waits until every live silo sees <paramref name="silo"/> as Dead.</summary>
    public Task WaitForDeathAsync(SiloAddress silo, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Silos.All(s => s.Membership.Current.GetStatus(silo) == SiloStatus.Dead), timeout ?? TimeSpan.FromSeconds(30),
            $"every silo to see {silo} dead");

    /// <summary>Polls a condition (bounded): the way tests wait for the cluster to converge without asserting on timing.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(Silos.Select(s => s.KillAsync())).ConfigureAwait(false);
        if (_options.Store is null) await Store.DisposeAsync().ConfigureAwait(false);
    }
}
