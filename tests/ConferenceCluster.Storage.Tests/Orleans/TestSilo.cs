using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Storage.Tests.Orleans;

/// <summary>A real Orleans 10.4.2 silo in this process, on 127.0.0.1 ports of its own, configured by the test.</summary>
internal sealed class TestSilo : IAsyncDisposable
{
    /// <summary>The grain storage the test grains use.</summary>
    public const string StorageName = "cluster-state";

    private readonly IHost _host;
    private int _disposed;

    private TestSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IClusterMembershipService Membership => _host.Services.GetRequiredService<IClusterMembershipService>();

    /// <summary>The silo's services, for Orleans' own provider instances (grain storage, membership table).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>This silo's own address, as the membership table keys it.</summary>
    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Starts a silo named <paramref name="name"/>; <paramref name="configure"/> adds clustering and storage.</summary>
    public static async Task<TestSilo> StartAsync(string name, string clusterId, string serviceId, Action<ISiloBuilder, int, int> configure)
    {
        var (siloPort, gatewayPort) = (FreePorts.Pick(), FreePorts.Pick());
        var host = new HostBuilder()
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, serviceId));
                silo.Configure<SiloOptions>(o => o.SiloName = name);
                configure(silo, siloPort, gatewayPort);
            })
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole())
            .Build();
        // A bound against a silo that never comes up, not a performance assertion (joining takes a second or two).
        using var startGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(startGuard.Token);
        return new TestSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return; // a test may stop a silo early; its `await using` comes back later
        using var stopGuard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _host.StopAsync(stopGuard.Token);
        _host.Dispose();
    }

    /// <summary>
    /// Orleans' ungraceful stop (a stop whose token is already cancelled): no graceful leave, no grain deactivation.
    /// Not a crash: the silo still marks itself dead on the way down if it gets to.
    /// </summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        try
        {
            await _host.StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
            // what an ungraceful stop may say on its way down
        }
        _host.Dispose();
    }

    /// <summary>Waits (bounded) until this silo sees the silo named <paramref name="name"/> in <paramref name="status"/>; returns the status it saw last.</summary>
    public async Task<SiloStatus?> WaitForStatusAsync(string name, SiloStatus status)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var seen = Membership.CurrentSnapshot.Members.Values.Where(m => m.Name == name).Select(m => (SiloStatus?)m.Status).LastOrDefault();
            if (seen == status || guard.IsCancellationRequested)
                return seen;
            await Task.Delay(100);
        }
    }

    /// <summary>Waits (bounded) until this silo's view of the cluster has exactly <paramref name="names"/> active.</summary>
    public async Task<IReadOnlyList<string>> WaitForActiveSilosAsync(params string[] names)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var active = Membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
            if (active.SequenceEqual(names.Order(StringComparer.Ordinal)) || guard.IsCancellationRequested)
                return active;
            await Task.Delay(100);
        }
    }
}
