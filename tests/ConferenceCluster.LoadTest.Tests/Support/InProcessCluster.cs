using System.Net;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.LoadTest.Running;
using ConferenceCluster.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.LoadTest.Tests.Support;

/// <summary>
/// Real silos (SiloHost, as the product runs them) in this process: SIP on ephemeral ports of 127.0.0.1, RTP from
/// the media port range. One silo is an embedded cluster of its own (Cluster:Storage=memory); several form one
/// Orleans cluster on PostgreSQL (Cluster:Storage=postgres, a database of their own on the test server), the only
/// multi-silo setup the product supports. The same recipe as the gateway and silo tests (GatewaySilo, TestSilos),
/// reduced to what a load test needs: SIP targets and rooms.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly List<SiloHost> _hosts;
    private readonly Integration.Tests.TestDatabase? _database;
    private static readonly RecentLines Log = new();

    private InProcessCluster(List<SiloHost> hosts, Integration.Tests.TestDatabase? database)
    {
        _hosts = hosts;
        _database = database;
    }

    public IReadOnlyList<SipTarget> Targets => _hosts
        .Select(h => new SipTarget("default", new IPEndPoint(IPAddress.Loopback, h.Silo.Services.GetRequiredService<SipGateway>().SipPort)))
        .ToList();

    /// <param name="settings">Extra configuration for every silo (e.g. Silo:Capacity:AudioCalls).</param>
    public static async Task<InProcessCluster> StartAsync(int silos = 1, IDictionary<string, string?>? settings = null)
    {
        var clusterId = "loadtest-tests-" + Guid.NewGuid().ToString("N")[..8];
        var database = silos > 1 ? await Integration.Tests.TestDatabase.CreateAsync() : null;
        var hosts = Enumerable.Range(0, silos).Select(i => Create(clusterId, database?.ConnectionString, i, settings)).ToList();
        var cluster = new InProcessCluster(hosts, database);
        try
        {
            await hosts[0].StartAsync();
            await Task.WhenAll(hosts.Skip(1).Select(h => h.StartAsync()));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private static SiloHost Create(string clusterId, string? database, int index, IDictionary<string, string?>? settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Cluster:Id"] = clusterId,
            ["Cluster:Storage"] = database is null ? "memory" : "postgres",
            ["Cluster:ConnectionString"] = database,
            ["Silo:Name"] = $"loadtest-silo-{index}",
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:Ports:Silo"] = "0",
            ["Silo:Ports:Gateway"] = "0",
            ["Silo:Ports:Http"] = "0",
            ["Silo:Ports:Sip"] = "0",
            ["Silo:Ports:MediaRange"] = $"{46000 + index * 1000}-{46999 + index * 1000}",
            // A fixed capacity skips the startup codec benchmark (seconds of CPU on a shared machine).
            ["Silo:Capacity:AudioCalls"] = "500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        return SiloHost.Create([], web =>
        {
            web.Configuration.AddInMemoryCollection(values);
            web.Logging.ClearProviders();
            web.Logging.AddProvider(Log);
        });
    }

    /// <summary>Creates Virtual Meeting Rooms (alias = name) as the management API would, and has every silo see them now.</summary>
    public async Task CreateRoomsAsync(IEnumerable<string> names, string? hostPin = null, string? guestPin = null)
    {
        var repository = _hosts[0].Silo.Services.GetRequiredService<ConfigurationRepository>();
        foreach (var name in names)
        {
            await repository.CreateConferenceAsync(new VirtualMeetingRoom(name)
            {
                Aliases = [new ServiceAlias(name)],
                HostPin = hostPin,
                GuestPin = guestPin,
                AllowGuests = guestPin is not null,
            });
        }
        await Task.WhenAll(_hosts.Select(h => h.Silo.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));
    }

    /// <summary>The silos' log (Information and up, every cluster of this test run), newest last, to explain a failure.</summary>
    public static string RecentLog(int count = 80) => string.Join('\n', Log.Lines.TakeLast(count));

    /// <summary>Waits (at most 10 s) until no silo's SIP gateway has a call left.</summary>
    public async Task WaitForNoCallsAsync()
    {
        var gateways = _hosts.Select(h => h.Silo.Services.GetRequiredService<SipGateway>()).ToList();
        for (var i = 0; i < 100 && gateways.Any(g => g.ActiveCalls > 0); i++) await Task.Delay(100);
        Assert.All(gateways, g => Assert.Equal(0, g.ActiveCalls));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    private sealed class RecentLines : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
                while (lines.Count > 3000) lines.TryDequeue(out _);
            }
        }
    }
}
