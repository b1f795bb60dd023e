using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.ClientApi.Tests.Support;

/// <summary>
/// Real silo hosts in this process (Kestrel, Orleans, SIP and media on 127.0.0.1, ephemeral ports): one on memory storage
/// (a cluster of its own), or several forming a cluster on the test PostgreSQL under a cluster id of the test's own.
/// Each silo gets a media port range no other silo of the test uses, away from the ranges of the other test projects.
/// </summary>
internal sealed class ClientApiSilos : IAsyncDisposable
{
    public const string AdminPassword = "client api tests";
    private const int FirstMediaPort = 52000;
    private const int MediaPortsPerSilo = 200;

    private readonly List<(string Name, SiloHost Host, SiloLogs Logs)> _silos = [];

    public IReadOnlyList<SiloHost> Hosts => _silos.Select(s => s.Host).ToList();

    public SiloHost this[int index] => _silos[index].Host;

    public static async Task<ClientApiSilos> StartAsync(int count, bool postgres, Func<int, IDictionary<string, string?>>? more = null)
    {
        if (count > 1 && !postgres) throw new ArgumentException("several silos form a cluster only on PostgreSQL", nameof(postgres));
        // The silos, their media and the browsers' measurements share this process's pool on a 2-core machine.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        var clusterId = $"clientapi-{Guid.NewGuid().ToString("N")[..12]}";
        var silos = new ClientApiSilos();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Cluster:Id"] = clusterId,
                    ["Cluster:Storage"] = postgres ? "postgres" : "memory",
                    ["Silo:Name"] = $"{clusterId}-{(char)('a' + i)}",
                    ["Silo:Ports:Silo"] = "0",
                    ["Silo:Ports:Gateway"] = "0",
                    ["Silo:Ports:Http"] = "0",
                    ["Silo:Ports:Sip"] = "0",
                    ["Silo:Ports:MediaRange"] = $"{FirstMediaPort + i * MediaPortsPerSilo}-{FirstMediaPort + (i + 1) * MediaPortsPerSilo - 1}",
                    ["Silo:Capacity:AudioCalls"] = "120",
                    ["Admin:Password"] = AdminPassword,
                    ["Admin:Dashboard"] = "false",
                    ["Demo:Enabled"] = "false",
                    ["Cluster:Membership:ProbeTimeout"] = "00:00:00.250",
                    ["Cluster:Membership:MaxProbeTimeout"] = "00:00:01",
                    ["Cluster:Membership:NumMissedProbesLimit"] = "2",
                    ["Cluster:Membership:TableRefreshTimeout"] = "00:00:01",
                    ["Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:01",
                };
                if (postgres) settings["Cluster:ConnectionString"] = TestPostgres.ConnectionString;
                foreach (var (key, value) in more?.Invoke(i) ?? new Dictionary<string, string?>()) settings[key] = value;
                var logs = new SiloLogs();
                var host = SiloHost.Create([], web =>
                {
                    web.Configuration.AddInMemoryCollection(settings);
                    web.Logging.ClearProviders();
                    web.Logging.AddProvider(logs);
                    web.Logging.SetMinimumLevel(LogLevel.Information);
                });
                silos._silos.Add((settings["Silo:Name"]!, host, logs));
                // One after another: the first sets up the cluster's admin credentials and token key.
                await host.StartAsync();
            }
            await Eventually.TrueAsync(() => silos._silos.All(s => s.Host.Silo.Membership.Members.Values.Count(m => m.Status == Orleans.Runtime.SiloStatus.Active) == count),
                $"every silo to see {count} active silos");
            return silos;
        }
        catch
        {
            await silos.DisposeAsync();
            throw;
        }
    }

    public string NameOf(int index) => _silos[index].Name;

    public Uri WebApp(int index) => new($"http://127.0.0.1:{this[index].HttpPort}/webapp/");

    public HttpClient Http(int index) => new() { BaseAddress = new Uri($"http://127.0.0.1:{this[index].HttpPort}") };

    /// <summary>Creates a Virtual Meeting Room and waits until every silo's configuration view has it.</summary>
    public async Task CreateRoomAsync(string name, string alias, string? hostPin = null, bool allowGuests = false, string? guestPin = null)
    {
        var repository = AnyLive.Services.GetRequiredService<ConfigurationRepository>();
        var created = await repository.CreateConferenceAsync(new VirtualMeetingRoom(name)
        {
            Aliases = [new ServiceAlias(alias)],
            HostPin = hostPin,
            AllowGuests = allowGuests,
            GuestPin = guestPin,
        });
        Assert.True(created.Succeeded, $"room {name} was not created");
        await Task.WhenAll(_silos.Where(s => !_killed.Contains(s.Name)).Select(s => s.Host.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));
    }

    /// <summary>Creates system locations (those naming no other first) and waits until every live silo's view has them.</summary>
    public async Task CreateLocationsAsync(params SystemLocation[] locations)
    {
        var repository = AnyLive.Services.GetRequiredService<ConfigurationRepository>();
        foreach (var location in locations.OrderBy(l => l.TranscodingLocation is null ? 0 : 1))
            Assert.True((await repository.CreateLocationAsync(location)).Succeeded, $"location {location.Name} was not created");
        await Task.WhenAll(_silos.Where(s => !_killed.Contains(s.Name)).Select(s => s.Host.Services.GetRequiredService<ConfigurationView>().RefreshAsync()));
    }

    public Task<ConferenceStatus> StatusAsync(string conference) =>
        AnyLive.Silo.GrainFactory.GetGrain<IConferenceGrain>(conference).GetStatus();

    private readonly HashSet<string> _killed = new(StringComparer.Ordinal);

    private SiloHost AnyLive => _silos.First(s => !_killed.Contains(s.Name)).Host;

    /// <summary>Stops a silo at once, as a crash would: its HTTP, SIP and media stop, it leaves Orleans without a goodbye.</summary>
    public async Task KillAsync(string name)
    {
        _killed.Add(name);
        await _silos.Single(s => s.Name == name).Host.KillAsync();
    }

    public int IndexOf(string name) => _silos.FindIndex(s => s.Name == name);

    /// <summary>The last log lines of every silo, to explain a failure.</summary>
    public string Logs(int perSilo = 40) => string.Join("\n", _silos.Select(s => $"--- {s.Name}\n{s.Logs.Tail(perSilo)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, host, _) in Enumerable.Reverse(_silos))
        {
            try
            {
                await host.DisposeAsync();
            }
            catch (Exception)
            {
                // a host that failed to start may complain on the way down
            }
        }
    }
}

/// <summary>Waits for what other threads make true; the timeout only bounds a hang (no test asserts on time).</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what, int timeoutSeconds = 60) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeoutSeconds);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(50);
        }
    }
}
