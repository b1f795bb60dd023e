using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>
/// One real silo in this process (SiloHost, as the product runs it): SIP on an ephemeral UDP/TCP port of
/// 127.0.0.1, RTP from the media port range, a cluster of its own in memory (Cluster:Storage=memory) unless its settings
/// name another (<see cref="Distributed.Support.GatewayCluster"/> puts its silos in one on PostgreSQL), the <c>demo</c> VMR.
/// </summary>
internal sealed class GatewaySilo : IAsyncDisposable
{
    private readonly SiloHost _host;

    private GatewaySilo(SiloHost host, SiloLogs logs, Task<int>? run = null)
    {
        _host = host;
        Logs = logs;
        Run = run;
    }

    /// <summary>The host's <see cref="SiloHost.RunAsync"/> (its exit code) when started with <see cref="RunAsync"/>.</summary>
    public Task<int>? Run { get; }

    public SiloHost Host => _host;

    public int HttpPort => _host.HttpPort;

    public string Name => _host.Silo.Name;

    /// <summary>What SIGTERM does to the process: the ASP.NET lifetime's ApplicationStopping, which RunAsync waits for.</summary>
    public void Terminate() => _host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().StopApplication();

    public SiloLogs Logs { get; }

    public IServiceProvider Services => _host.Silo.Services;

    public SipGateway Gateway => Services.GetRequiredService<SipGateway>();

    public int SipPort => Gateway.SipPort;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public static async Task<GatewaySilo> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var (host, logs) = Create(settings);
        await host.StartAsync();
        var silo = new GatewaySilo(host, logs);
        if (silo.SipPort == 0)
            throw new InvalidOperationException("the SIP gateway did not bind a port");
        return silo;
    }

    /// <summary>
    /// Starts the host the way <c>Program</c> does, with <see cref="SiloHost.RunAsync"/>; returns once the silo says it is
    /// ready (what <c>/health/ready</c> reports: it can serve a call).
    /// </summary>
    public static async Task<GatewaySilo> RunAsync(IDictionary<string, string?>? settings = null)
    {
        var (host, logs) = Create(settings);
        var run = host.RunAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!IsReady(host))
        {
            if (run.IsCompleted)
                throw new InvalidOperationException($"the host stopped while starting (exit code {await run})\n{logs.Tail()}");
            await Task.Delay(50, cancel.Token);
        }
        return new GatewaySilo(host, logs, run);
    }

    private static bool IsReady(SiloHost host)
    {
        try
        {
            return host.Silo.IsReady;
        }
        catch (InvalidOperationException)
        {
            return false; // not built yet
        }
    }

    private static (SiloHost Host, SiloLogs Logs) Create(IDictionary<string, string?>? settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Cluster:Id"] = "gateway-tests-" + Guid.NewGuid().ToString("N")[..8],
            ["Cluster:Storage"] = "memory",
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:Ports:Silo"] = "0",
            ["Silo:Ports:Gateway"] = "0",
            ["Silo:Ports:Http"] = "0",
            ["Silo:Ports:Sip"] = "0",
            ["Silo:Ports:MediaRange"] = "44000-45999",
            // A fixed capacity skips the startup codec benchmark (seconds of CPU on a shared machine).
            ["Silo:Capacity:AudioCalls"] = "500",
            ["Demo:Enabled"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;

        var logs = new SiloLogs();
        var host = SiloHost.Create([], web =>
        {
            web.Configuration.AddInMemoryCollection(values);
            web.Logging.ClearProviders();
            web.Logging.AddProvider(logs);
        });
        return (host, logs);
    }

    /// <summary>Creates a VMR with the given aliases through the configuration repository, as the management API would.</summary>
    public Task CreateRoomAsync(string name, params string[] aliases) => CreateRoomAsync(name, aliases, room => room);

    /// <summary>Creates a VMR with the given aliases and settings (<paramref name="configure"/>: quality, View ...).</summary>
    public async Task CreateRoomAsync(string name, string[] aliases, Func<VirtualMeetingRoom, VirtualMeetingRoom> configure)
    {
        var repository = Services.GetRequiredService<ConfigurationRepository>();
        await repository.CreateConferenceAsync(configure(new VirtualMeetingRoom(name) { Aliases = aliases.Select(a => new ServiceAlias(a)).ToList() }));
        await Services.GetRequiredService<ConfigurationView>().RefreshAsync();
    }

    public Task<ConferenceStatus> ConferenceStatusAsync(string conference) =>
        Grains.GetGrain<IConferenceGrain>(conference).GetStatus();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
