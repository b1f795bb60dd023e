using System.Reflection;
using System.Runtime.InteropServices;
using ConferenceCluster.Gateway.Sip;
using System.Text.Json;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Gateway;
using ConferenceCluster.Media.Capacity;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Storage;
using ConferenceCluster.Silo.Api;
using ConferenceCluster.Silo.Api.Admin;
using ConferenceCluster.Silo.Configuration;
using ConferenceCluster.Silo.Security;
using ConferenceCluster.Silo.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConferenceCluster.Silo;

/// <summary>
/// One Conferencing Node process: the HTTP endpoints (health, management API) and one silo of the cluster.
/// <c>Program</c> runs it; tests start it in-process with their own configuration, loggers and store.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    /// <summary>Exit code when the configuration is invalid.</summary>
    public const int ExitConfigurationError = 2;
    /// <summary>Exit code when the silo failed to start, was declared dead by the cluster, or was killed.</summary>
    public const int ExitSiloFailed = 1;

    private readonly WebApplication _app;
    private readonly Action<SiloBuilder>? _configureSilo;
    private readonly ILogger _logger;
    private IClusterStore? _store;
    private NodeIdentity _identity = null!;
    private readonly SemaphoreSlim _restartGate = new(1, 1);
    private TaskCompletionSource _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _httpStarted;
    private int _stopped;

    private SiloHost(WebApplication app, SiloHostConfiguration configuration, Action<SiloBuilder>? configureSilo)
    {
        _app = app;
        Configuration = configuration;
        _configureSilo = configureSilo;
        _logger = app.Services.GetRequiredService<ILogger<SiloHost>>();
    }

    public SiloHostConfiguration Configuration { get; }
    public IServiceProvider Services => _app.Services;
    public Runtime.Hosting.Silo Silo => Services.GetRequiredService<LocalSilo>().Current ?? throw new InvalidOperationException("the silo is not started");
    /// <summary>The HTTP port actually bound (differs from <c>Silo:Ports:Http</c> when that is 0).</summary>
    public int HttpPort { get; private set; }

    /// <summary>Reads and validates the configuration (throws <see cref="SiloConfigurationException"/>) and wires the HTTP endpoints.</summary>
    /// <param name="args">Command-line arguments (<c>--Silo:Name=x</c>).</param>
    /// <param name="configureWeb">Runs before the configuration is read: tests add configuration sources, loggers and services here.</param>
    /// <param name="configureSilo">Last say over the silo (tests shorten membership timings).</param>
    public static SiloHost Create(string[] args, Action<WebApplicationBuilder>? configureWeb = null, Action<SiloBuilder>? configureSilo = null)
    {
        // Content root at the binary, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configureWeb?.Invoke(builder);
        var configuration = SiloHostConfiguration.Load(builder.Configuration);

        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(configuration.Cluster);
        builder.Services.AddSingleton(configuration.Silo);
        builder.Services.AddSingleton(configuration.Admin);
        builder.Services.AddSingleton(OperationsConfiguration.Load(builder.Configuration));
        builder.Services.TryAddSingleton<IClusterStoreProvider, DefaultClusterStoreProvider>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LocalSilo>();
        builder.Services.AddSingleton<AdminCredentials>();
        // The host's own shutdown timeout must not cut the drain short: at least the drain timeout, plus room to leave.
        builder.Services.Configure<HostOptions>(host =>
        {
            var atLeast = configuration.Silo.DrainTimeout + TimeSpan.FromSeconds(30);
            if (host.ShutdownTimeout < atLeast)
                host.ShutdownTimeout = atLeast;
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        // Silo:Ports:Http is the one HTTP endpoint; ASPNETCORE_URLS and friends do not apply.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(configuration.Silo.Ports.Http));

        var app = builder.Build();
        // Bodiless API errors (404 for no such resource, 405 for a wrong method, ...) still get the JSON error body API clients parse.
        app.UseStatusCodePages(context => context.HttpContext.Request.Path.StartsWithSegments("/api")
            ? ApiError.Result(context.HttpContext.Response.StatusCode,
                ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode).ToLowerInvariant()).ExecuteAsync(context.HttpContext)
            : Task.CompletedTask);
        app.UseAdminAuthentication();
        app.MapHealthEndpoints();
        app.MapAdminApi();
        return new SiloHost(app, configuration, configureSilo);
    }

    /// <summary>
    /// Starts HTTP, opens the cluster database, makes sure the cluster has admin credentials, then joins the
    /// cluster. HTTP comes first so the membership row carries the bound HTTP port and /health answers 503 while joining.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        _httpStarted = true;
        HttpPort = BoundHttpPort();

        var cluster = Configuration.Cluster;
        if (cluster.Storage == ClusterStorageKind.Memory)
            _logger.LogWarning("Cluster:Storage is memory: this silo is a cluster of its own and forgets everything when it stops");
        _store = Services.GetRequiredService<IClusterStoreProvider>().Create(cluster.Storage, cluster.Id, cluster.ConnectionString);
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Services.GetRequiredService<AdminCredentials>().InitializeAsync(_store.Documents, cluster.Id, cancellationToken).ConfigureAwait(false);

        _identity = await NodeIdentityAsync(_store, cancellationToken).ConfigureAwait(false);
        await StartSiloAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StartSiloAsync(CancellationToken cancellationToken)
    {
        var silo = BuildSilo(_store!, _identity);
        Services.GetRequiredService<LocalSilo>().Current = silo;
        await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        silo.Services.GetRequiredService<ConfigurationView>().Changed += OnConfigurationChanged;
        _logger.LogInformation("Silo {Name} serves HTTP on port {HttpPort}", silo.Name, HttpPort);
    }

    /// <summary>
    /// What this node is: its configuration keys, unless an operator has configured the node in the management API,
    /// whose system location and role then win (the configuration lives in the cluster database, R3).
    /// </summary>
    private async Task<NodeIdentity> NodeIdentityAsync(IClusterStore store, CancellationToken cancellationToken)
    {
        var configured = new NodeIdentity(Configuration.Silo.Location, Configuration.Silo.Role);
        var record = await new ConfigurationRepository(store).GetNodeAsync(Configuration.Silo.Name, cancellationToken).ConfigureAwait(false);
        if (record?.Value is not { Origin: NodeOrigin.Operator, Node: var node })
            return configured;
        var managed = new NodeIdentity(node.SystemLocation, node.Role == NodeRole.Proxying ? SiloRole.Proxying : SiloRole.Transcoding);
        if (managed != configured)
            _logger.LogInformation("The management API configures node {Name} as {Location}/{Role}; that wins over Silo:Location and Silo:Role",
                Configuration.Silo.Name, managed.Location, managed.Role);
        return managed;
    }

    /// <summary>
    /// Seed R13 (L1541, L1545): changing a node's system location or role disconnects its calls and restarts it.
    /// The silo leaves gracefully and a new one joins with the new identity, in this process.
    /// </summary>
    private void OnConfigurationChanged(ConfigurationSnapshot snapshot)
    {
        if (!snapshot.Nodes.TryGetValue(Configuration.Silo.Name, out var record) || record.Origin != NodeOrigin.Operator)
            return;
        var wanted = new NodeIdentity(record.Node.SystemLocation, record.Node.Role == NodeRole.Proxying ? SiloRole.Proxying : SiloRole.Transcoding);
        if (wanted != _identity && Volatile.Read(ref _stopped) == 0)
            _ = RestartSiloAsync(wanted);
    }

    private async Task RestartSiloAsync(NodeIdentity wanted)
    {
        if (!await _restartGate.WaitAsync(0).ConfigureAwait(false)) return;
        try
        {
            if (wanted == _identity) return;
            _logger.LogWarning("Node {Name} changes from {OldLocation}/{OldRole} to {Location}/{Role}: its calls are disconnected and it restarts (R13)",
                Configuration.Silo.Name, _identity.Location, _identity.Role, wanted.Location, wanted.Role);
            var previous = Silo;
            previous.Services.GetRequiredService<ConfigurationView>().Changed -= OnConfigurationChanged;
            var restarted = Interlocked.Exchange(ref _restarted, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            await previous.StopAsync().ConfigureAwait(false);
            _identity = wanted;
            await StartSiloAsync(CancellationToken.None).ConfigureAwait(false);
            restarted.TrySetResult();
        }
        catch (Exception ex)
        {
            _logger.LogCritical(ex, "Node {Name} could not restart", Configuration.Silo.Name);
        }
        finally
        {
            _restartGate.Release();
        }
    }

    /// <summary>The system location and role a node runs with (what R13 restarts it for).</summary>
    private sealed record NodeIdentity(string Location, SiloRole Role);

    /// <summary>
    /// Runs until the process is asked to stop (SIGTERM, Ctrl-C) or the silo stops by itself; then leaves the
    /// cluster gracefully. Returns the process exit code: non-zero when the silo failed or was declared dead.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogCritical(ex, "The silo failed to start");
            await StopAsync().ConfigureAwait(false);
            return ExitSiloFailed;
        }

        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_app.Lifetime.ApplicationStopping.Register(() => stopRequested.TrySetResult()))
        using (cancellationToken.Register(() => stopRequested.TrySetResult()))
        {
            while (true)
            {
                var terminated = Silo.Terminated;
                var restarted = Volatile.Read(ref _restarted).Task;
                var first = await Task.WhenAny(stopRequested.Task, terminated, restarted).ConfigureAwait(false);
                if (first == stopRequested.Task)
                {
                    await DrainAsync().ConfigureAwait(false);
                    break;
                }
                if (first == restarted || (terminated.Result == SiloTermination.Graceful && await WaitForRestartAsync(restarted).ConfigureAwait(false)))
                    continue; // R13: the node came back with its new identity
                if (terminated.Result is var reason and not SiloTermination.Graceful)
                {
                    // As an Orleans silo does: a silo the cluster gave up on must not linger; its supervisor restarts it.
                    _logger.LogCritical("The silo stopped ({Reason}); the process exits with code {ExitCode}", reason, ExitSiloFailed);
                    await StopAsync().ConfigureAwait(false);
                    return ExitSiloFailed;
                }
                break;
            }
        }
        await StopAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Before leaving on SIGTERM: no new calls (503 + Retry-After, <c>/api/client/v2/status</c> 503) until the SIP
    /// gateway has no calls left or <c>Silo:DrainTimeout</c> passes. A second SIGTERM or Ctrl-C ends the drain at
    /// once; the node then still leaves the cluster gracefully (its remaining calls are disconnected).
    /// </summary>
    public async Task DrainAsync()
    {
        var timeout = Configuration.Silo.DrainTimeout;
        var local = Services.GetRequiredService<LocalSilo>();
        local.Draining = true;
        var gateway = local.Current?.Services.GetService<SipGateway>();
        if (gateway is null || timeout <= TimeSpan.Zero)
            return;
        gateway.Draining = true;
        if (gateway.ActiveCalls == 0)
            return;

        using var cut = new CancellationTokenSource(timeout);
        // Registered only now, so the first signal (which started the drain) is not counted. Cancel keeps the
        // runtime from terminating the process: the node still leaves gracefully after the drain.
        using var sigterm = TryRegister(PosixSignal.SIGTERM, cut);
        using var sigint = TryRegister(PosixSignal.SIGINT, cut);
        _logger.LogWarning("Draining before stop: {Calls} call(s) up; no new calls; waiting up to {Timeout} for them to end (signal again to stop now)",
            gateway.ActiveCalls, timeout);
        try
        {
            while (gateway.ActiveCalls > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, cut.Token).ConfigureAwait(false);
            _logger.LogInformation("Drained: no calls left; leaving the cluster");
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Drain ended with {Calls} call(s) still up ({Why}); they are disconnected as the node leaves",
                gateway.ActiveCalls, _drainCutBySignal ? "signalled again" : "Silo:DrainTimeout passed");
        }
    }

    private volatile bool _drainCutBySignal;

    private PosixSignalRegistration? TryRegister(PosixSignal signal, CancellationTokenSource cut)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _drainCutBySignal = true;
                try { cut.Cancel(); } catch (ObjectDisposedException) { }
            });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A graceful stop that is a restart in progress (R13) completes the restart; one that is not, does not.</summary>
    private async Task<bool> WaitForRestartAsync(Task restarted)
    {
        if (_restartGate.CurrentCount == 1) return false;
        await restarted.ConfigureAwait(false);
        return true;
    }

    /// <summary>Leaves the cluster gracefully (if still in it), then stops HTTP and closes the cluster database.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        if (Services.GetRequiredService<LocalSilo>().Current is { } silo)
            await silo.StopAsync().ConfigureAwait(false);
        if (_httpStarted)
            await _app.StopAsync().ConfigureAwait(false);
        if (_store is not null)
            await _store.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Runtime.Hosting.Silo BuildSilo(IClusterStore store, NodeIdentity identity)
    {
        var options = Configuration.Silo;
        var siloOptions = new SiloOptions
        {
            ClusterId = Configuration.Cluster.Id,
            SiloName = options.Name,
            AdvertisedAddress = options.AdvertisedAddress,
            ListenAddress = "0.0.0.0",
            SiloPort = options.Ports.Silo,
            GatewayPort = options.Ports.Gateway,
            GatewayEnabled = true,
            Metadata =
            {
                [SiloMetadataKeys.Location] = identity.Location,
                [SiloMetadataKeys.Role] = identity.Role.ToString().ToLowerInvariant(),
                [SiloMetadataKeys.HttpPort] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        siloOptions.Metadata[ConferencingMetadataKeys.CapacityAudioCalls] = NodeCapacityAudioCalls().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var builder = new SiloBuilder(siloOptions)
            .UseStore(store)
            .UseMembershipOptions(Configuration.Cluster.Membership)
            .UseMessagingOptions(Configuration.Cluster.Messaging)
            .UseTimeProvider(Services.GetRequiredService<TimeProvider>())
            .UseLoggerFactory(Services.GetRequiredService<ILoggerFactory>())
            .AddConferencing(conferencing => conferencing.MoveCallsOffFailedNodes = Configuration.Cluster.MoveCallsOffFailedNodes, operations: Services.GetRequiredService<Conferencing.Operations.OperationsOptions>())
            .AddSipGateway(new GatewayOptions
            {
                SipPort = options.Ports.Sip,
                AdvertisedAddress = options.AdvertisedAddress,
                MediaPortRange = options.Ports.MediaRange,
            });
        if (Configuration.Demo.Enabled)
            builder.AddDemoConferences();
        foreach (var path in options.GrainAssemblies)
            builder.AddGrainsFromAssembly(Assembly.LoadFrom(Path.GetFullPath(path)));
        _configureSilo?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>
    /// <c>Silo:Capacity:AudioCalls</c> when configured; otherwise the startup capacity check's estimate (seed R60,
    /// L1185: "On startup, each Conferencing Node runs an internal capacity check").
    /// </summary>
    private long NodeCapacityAudioCalls()
    {
        if (Configuration.Silo.Capacity.AudioCalls is { } configured)
        {
            _logger.LogInformation("Capacity: {AudioCalls} audio calls (Silo:Capacity:AudioCalls)", configured);
            return configured;
        }
        var estimate = MediaCapacityCheck.Run();
        _logger.LogInformation(
            "Capacity check: {AudioCalls} audio calls ({HdCalls} HD) on {Cores} cores, {PerFrame:F0} µs of codec work per call and 20 ms frame; set Silo:Capacity:AudioCalls to override",
            estimate.AudioCalls, estimate.AudioCalls / 12, estimate.Cores, estimate.MicrosecondsPerCallFrame);
        return estimate.AudioCalls;
    }

    private int BoundHttpPort()
    {
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First()).Port;
    }
}
