using System.Runtime.InteropServices;
using System.Text.Json;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Media.Capacity;
using ConferenceCluster.Media.Video.Capacity;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Membership;
using ConferenceCluster.Storage.Schema;
using ConferenceCluster.Storage.Sqlite;
using ConferenceCluster.Silo.Api;
using ConferenceCluster.Silo.Api.Admin;
using ConferenceCluster.Silo.Api.Client;
using ConferenceCluster.Silo.Configuration;
using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Silo.Security;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace ConferenceCluster.Silo;

/// <summary>
/// One Conferencing Node process: an ASP.NET Core host carrying the Orleans silo (<c>UseOrleans</c>), its SIP gateway and
/// media node, and the HTTP endpoints (health, management API, dashboard, metrics). <c>Program</c> runs it; tests start
/// it in-process with their own configuration, loggers and services.
/// </summary>
/// <remarks>
/// The host is built when it starts, once the node knows what it is: its system location and role come from the
/// configuration keys unless an operator configured the node in the management API (the cluster database), and its
/// capacity from the startup check. A change of location or role (R13) stops this incarnation gracefully and builds the
/// next one in the same process.
/// </remarks>
public sealed class SiloHost : IAsyncDisposable
{
    /// <summary>Exit code when the configuration is invalid.</summary>
    public const int ExitConfigurationError = 2;
    /// <summary>Exit code when the silo failed to start, was declared dead by the cluster, or was killed.</summary>
    public const int ExitSiloFailed = 1;

    private readonly string[] _args;
    private readonly Action<WebApplicationBuilder>? _configureWeb;
    private readonly Action<ISiloBuilder>? _configureSilo;
    private WebApplicationBuilder? _firstBuilder;
    private WebApplication? _app;
    private IOwnedClusterDocumentStore? _ownedStore;
    private EmbeddedDatabaseLock? _embeddedLock;
    private string? _compatibilityReport;

    private IClusterDocumentStore? _store;
    private NodeIdentity _identity = null!;
    private SiloEndpoints _endpoints = null!;
    private long _capacityAudioCalls;
    private string? _capacityReport;
    /// <summary>What the startup check measured (null when <c>Silo:Capacity:AudioCalls</c> is configured).</summary>
    private MediaCapacityEstimate? _capacity;
    private VideoCapacityEstimate? _videoCapacity;
    private IReadOnlyList<string>? _schemaReport;
    private readonly SemaphoreSlim _restartGate = new(1, 1);
    private TaskCompletionSource _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The incarnation an R13 restart is stopping: its ApplicationStopping is the restart, not a request to stop the node.</summary>
    private WebApplication? _restarting;
    private int _stopped;

    /// <summary>A document store the caller owns (tests share one between hosts and themselves); null: open <c>Cluster:Storage</c>'s.</summary>
    private readonly IClusterDocumentStore? _sharedStore;

    private SiloHost(string[] args, Action<WebApplicationBuilder>? configureWeb, Action<ISiloBuilder>? configureSilo,
        SiloHostConfiguration configuration, WebApplicationBuilder firstBuilder, IClusterDocumentStore? sharedStore)
    {
        _sharedStore = sharedStore;
        _args = args;
        _configureWeb = configureWeb;
        _configureSilo = configureSilo;
        Configuration = configuration;
        _firstBuilder = firstBuilder;
    }

    public SiloHostConfiguration Configuration { get; }

    /// <summary>The current incarnation's services (after <see cref="StartAsync"/> has built it).</summary>
    public IServiceProvider Services => (_app ?? throw new InvalidOperationException("the silo host is not started")).Services;

    /// <summary>The current incarnation's silo.</summary>
    public RunningSilo Silo => Services.GetRequiredService<RunningSilo>();

    /// <summary>The HTTP port bound (chosen at start when <c>Silo:Ports:Http</c> is 0).</summary>
    public int HttpPort => _endpoints?.HttpPort ?? 0;

    /// <summary>The HTTPS port bound, when <c>Silo:Ports:Https</c> is set (chosen at start when 0).</summary>
    public int? HttpsPort => _endpoints?.HttpsPort;

    private string? _httpsReport;

    /// <summary>Reads and validates the configuration (throws <see cref="SiloConfigurationException"/>).</summary>
    /// <param name="args">Command-line arguments (<c>--Silo:Name=x</c>).</param>
    /// <param name="configureWeb">Runs on every incarnation's builder before the configuration is read: tests add configuration sources, loggers and services here.</param>
    /// <param name="configureSilo">Last say over the Orleans silo (tests shorten membership timings).</param>
    /// <param name="documents">
    /// For tests: the configuration document store to use instead of opening <c>Cluster:Storage</c>'s (the caller owns it
    /// and may share it between hosts). Orleans' own storage still follows <c>Cluster:Storage</c>.
    /// </param>
    public static SiloHost Create(string[] args, Action<WebApplicationBuilder>? configureWeb = null, Action<ISiloBuilder>? configureSilo = null,
        IClusterDocumentStore? documents = null)
    {
        var builder = NewBuilder(args, configureWeb);
        var configuration = SiloHostConfiguration.Load(builder.Configuration);
        return new SiloHost(args, configureWeb, configureSilo, configuration, builder, documents);
    }

    private static WebApplicationBuilder NewBuilder(string[] args, Action<WebApplicationBuilder>? configureWeb)
    {
        // Content root at the binary, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configureWeb?.Invoke(builder);
        return builder;
    }

    /// <summary>
    /// Opens the cluster database, works out what this node is, builds the host and starts it: HTTP and the silo start
    /// together, so <c>/health</c> answers (503) while the silo joins; the node is ready once its conferencing layer runs.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var cluster = Configuration.Cluster;
        if (cluster.Storage == ClusterStorageKind.Sqlite)
            _embeddedLock ??= AcquireEmbeddedDatabase(cluster.ConnectionString);
        // Orleans' tables (membership, grain state, reminders) and ours, applied once per database whoever starts first.
        _schemaReport = cluster.Storage switch
        {
            ClusterStorageKind.Postgres => (await OrleansPostgresSchema.ApplyAsync(cluster.ConnectionString!, cancellationToken).ConfigureAwait(false)).Describe().ToList(),
            ClusterStorageKind.Sqlite => (await OrleansSqliteSchema.ApplyAsync(cluster.ConnectionString, cancellationToken).ConfigureAwait(false)).Describe().ToList(),
            _ => null,
        };
        _store = _sharedStore ?? (_ownedStore = ClusterDocumentStores.Create(cluster.Storage, cluster.Id, cluster.ConnectionString));
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _compatibilityReport = await new ClusterCompatibility(_store, cluster.Id, OrleansSiloSetup.ServiceId(cluster), Configuration.Silo.Name, TimeProvider.System)
            .CheckAsync(LiveSilosAsync, cancellationToken).ConfigureAwait(false);
        _endpoints = SiloEndpoints.Resolve(Configuration.Silo);
        _capacityAudioCalls = NodeCapacityAudioCalls();
        _identity = await NodeIdentityAsync(cancellationToken).ConfigureAwait(false);
        await StartIncarnationAsync(cancellationToken).ConfigureAwait(false);
        if (cluster.Storage == ClusterStorageKind.Memory)
            Logger.LogWarning("Cluster:Storage is memory: this silo is a cluster of its own and forgets everything when it stops");
    }

    private ILogger Logger => Services.GetRequiredService<ILogger<SiloHost>>();

    /// <summary>The embedded database is one silo's: a second silo on the same file is refused (docs/decisions.md).</summary>
    private static EmbeddedDatabaseLock AcquireEmbeddedDatabase(string? connectionString)
    {
        try
        {
            return EmbeddedDatabaseLock.Acquire(connectionString);
        }
        catch (EmbeddedDatabaseInUseException ex)
        {
            throw new SiloRefusedException(ex.Message, ex);
        }
    }

    /// <summary>The cluster's silos that run now, from Orleans' membership table; on sqlite and memory only this one can run.</summary>
    private Task<int> LiveSilosAsync(CancellationToken cancellationToken)
    {
        var cluster = Configuration.Cluster;
        if (cluster.Storage != ClusterStorageKind.Postgres)
            return Task.FromResult(0);
        var membership = cluster.Membership;
        return OrleansMembershipQueries.CountLiveSilosAsync(cluster.ConnectionString!, cluster.Id,
            membership.IAmAliveTablePublishTimeout * membership.NumMissedTableIAmAliveLimit, cancellationToken);
    }

    private async Task StartIncarnationAsync(CancellationToken cancellationToken)
    {
        var builder = Interlocked.Exchange(ref _firstBuilder, null) ?? NewBuilder(_args, _configureWeb);
        var app = Build(builder);
        _app = app;
        var logger = Logger;
        if (Interlocked.Exchange(ref _schemaReport, null) is { } schema) logger.LogInformation("Cluster database schema: {Schema}", string.Join("; ", schema));
        if (_capacityReport is { } report) logger.LogInformation("{CapacityReport}", report);
        if (_httpsReport is { } https) logger.LogInformation("{HttpsReport}", https);
        if (_identity.Message is { } message) logger.LogInformation("{Identity}", message);
        if (Interlocked.Exchange(ref _compatibilityReport, null) is { } compatibility) logger.LogWarning("{Compatibility}", compatibility);
        await app.Services.GetRequiredService<AdminCredentials>().InitializeAsync(_store!, Configuration.Cluster.Id, cancellationToken).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        app.Services.GetRequiredService<ConfigurationView>().Changed += OnConfigurationChanged;
        logger.LogInformation("Silo {Name} ({Location}/{Role}) serves HTTP on port {HttpPort}, SIP on {SipPort}",
            Configuration.Silo.Name, _identity.Location, _identity.Role, HttpPort, app.Services.GetRequiredService<SipGateway>().SipPort);
    }

    private WebApplication Build(WebApplicationBuilder builder)
    {
        var configuration = Configuration;
        var node = new LocalNode(configuration.Silo.Name, new Dictionary<string, string>
        {
            [NodeMetadataKeys.Location] = _identity.Location,
            [NodeMetadataKeys.Role] = _identity.Role.ToString().ToLowerInvariant(),
            [NodeMetadataKeys.HttpPort] = _endpoints.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [NodeMetadataKeys.CapacityAudioCalls] = _capacityAudioCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [NodeMetadataKeys.Opus] = OpusCodecs.Implementation.ToString(),
        });
        if (_capacity is { } measured)
            node = new LocalNode(node.Name, new Dictionary<string, string>(node.Metadata)
            {
                [NodeMetadataKeys.MeasuredAudioCalls] = measured.MeasuredAudioCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [NodeMetadataKeys.MeasuredHdCalls] = (_videoCapacity?.HdCalls ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        var operations = OperationsConfiguration.Load(builder.Configuration);
        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(configuration.Cluster);
        builder.Services.AddSingleton(configuration.Silo);
        builder.Services.AddSingleton(configuration.Admin);
        builder.Services.AddSingleton<IClusterDocumentStore>(_store!);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RunningSilo>();
        builder.Services.AddSingleton<LocalSilo>();
        builder.Services.AddSingleton<AdminCredentials>();
        builder.Services.AddSingleton<ClientApiContext>();
        builder.Services.Configure<HostOptions>(host =>
        {
            // The silo starts first, the web server once the silo is active and ready: a node answers HTTP (and SIP)
            // only when it can serve; while it joins, probes see a refused connection (Kubernetes: a startup probe).
            // The host's own shutdown timeout must not cut the drain short: at least the drain timeout, plus room to leave.
            var atLeast = configuration.Silo.DrainTimeout + TimeSpan.FromSeconds(30);
            if (host.ShutdownTimeout < atLeast)
                host.ShutdownTimeout = atLeast;
        });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        // Silo:Ports:Http is the one HTTP endpoint (and Silo:Ports:Https its HTTPS twin); ASPNETCORE_URLS and friends do not apply.
        string? httpsCertificate = null;
        var certificate = _endpoints.HttpsPort is null ? null : HttpsCertificate.Load(configuration.Silo, TimeProvider.System, out httpsCertificate);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(_endpoints.HttpPort);
            if (_endpoints.HttpsPort is { } httpsPort)
                kestrel.ListenAnyIP(httpsPort, listen => listen.UseHttps(certificate!));
        });
        _httpsReport = httpsCertificate is null ? null : $"HTTPS on port {_endpoints.HttpsPort} with {httpsCertificate}";
        builder.AddObservability(configuration.Silo.Name, configuration.Cluster.Id);
        builder.UseOrleans(silo =>
        {
            if (configuration.Admin.Dashboard) Observability.AddDashboard(silo);
            OrleansSiloSetup.Configure(silo, configuration, _endpoints, node, operations, _configureSilo);
            silo.Services.AddSingleton<IFatalErrorHandler>(new SiloFatalErrorHandler(this));
        });

        var app = builder.Build();
        // Bodiless API errors (404 for no such resource, 405 for a wrong method, ...) still get the JSON error body API clients parse.
        app.UseStatusCodePages(context => context.HttpContext.Request.Path.StartsWithSegments("/api")
            ? ApiError.Result(context.HttpContext.Response.StatusCode,
                ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode).ToLowerInvariant()).ExecuteAsync(context.HttpContext)
            : Task.CompletedTask);
        app.UseAdminAuthentication();
        app.MapHealthEndpoints();
        app.MapAdminApi();
        app.MapClientApi();
        app.MapWebApp();
        app.MapObservability(configuration.Admin.Dashboard);
        return app;
    }

    /// <summary>
    /// What this node is: its configuration keys, unless an operator has configured the node in the management API,
    /// whose system location and role then win (the configuration lives in the cluster database, R3).
    /// </summary>
    private async Task<NodeIdentity> NodeIdentityAsync(CancellationToken cancellationToken)
    {
        var configured = new NodeIdentity(Configuration.Silo.Location, Configuration.Silo.Role);
        var record = await new ConfigurationRepository(_store!).GetNodeAsync(Configuration.Silo.Name, cancellationToken).ConfigureAwait(false);
        if (record?.Value is not { Origin: NodeOrigin.Operator, Node: var node })
            return configured;
        var managed = new NodeIdentity(node.SystemLocation, node.Role == NodeRole.Proxying ? SiloRole.Proxying : SiloRole.Transcoding);
        return managed == configured
            ? configured
            : managed with
            {
                Message = $"The management API configures node {Configuration.Silo.Name} as {managed.Location}/{managed.Role}; that wins over Silo:Location and Silo:Role",
            };
    }

    /// <summary>
    /// Seed R13 (L1541, L1545): changing a node's system location or role disconnects its calls and restarts it.
    /// The silo leaves gracefully and the next incarnation joins with the new identity, in this process.
    /// </summary>
    private void OnConfigurationChanged(ConfigurationSnapshot snapshot)
    {
        if (!snapshot.Nodes.TryGetValue(Configuration.Silo.Name, out var record) || record.Origin != NodeOrigin.Operator)
            return;
        var wanted = new NodeIdentity(record.Node.SystemLocation, record.Node.Role == NodeRole.Proxying ? SiloRole.Proxying : SiloRole.Transcoding);
        if (wanted != _identity with { Message = null } && Volatile.Read(ref _stopped) == 0)
            _ = RestartSiloAsync(wanted);
    }

    private async Task RestartSiloAsync(NodeIdentity wanted)
    {
        if (!await _restartGate.WaitAsync(0).ConfigureAwait(false)) return;
        try
        {
            if (wanted == _identity with { Message = null }) return;
            Logger.LogWarning("Node {Name} changes from {OldLocation}/{OldRole} to {Location}/{Role}: its calls are disconnected and it restarts (R13)",
                Configuration.Silo.Name, _identity.Location, _identity.Role, wanted.Location, wanted.Role);
            var previous = _app!;
            previous.Services.GetRequiredService<ConfigurationView>().Changed -= OnConfigurationChanged;
            var restarted = Interlocked.Exchange(ref _restarted, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            Volatile.Write(ref _restarting, previous);
            await previous.StopAsync().ConfigureAwait(false);
            await previous.DisposeAsync().ConfigureAwait(false);
            _identity = wanted;
            await StartIncarnationAsync(CancellationToken.None).ConfigureAwait(false);
            restarted.TrySetResult();
        }
        catch (Exception ex)
        {
            _failed.TrySetResult($"the node could not restart: {ex.Message}");
        }
        finally
        {
            _restartGate.Release();
        }
    }

    /// <summary>The system location and role a node runs with (what R13 restarts it for), and why, when not its keys.</summary>
    private sealed record NodeIdentity(string Location, SiloRole Role)
    {
        public string? Message { get; init; }
    }

    /// <summary>
    /// Runs until the process is asked to stop (SIGTERM, Ctrl-C), then drains and leaves the cluster gracefully.
    /// Returns the process exit code: non-zero when the silo failed to start or the cluster declared it dead.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SiloRefusedException ex)
        {
            // Restarting cannot help: the exit code of an invalid configuration, and one clear line saying why.
            if (_app is not null) Logger.LogCritical("The silo does not start: {Reason}", ex.Message);
            else Console.Error.WriteLine($"The silo does not start: {ex.Message}");
            await StopAsync().ConfigureAwait(false);
            return ExitConfigurationError;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (_app is not null) Logger.LogCritical(ex, "The silo failed to start");
            else Console.Error.WriteLine($"The silo failed to start: {ex}");
            await StopAsync().ConfigureAwait(false);
            return ExitSiloFailed;
        }

        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => stopRequested.TrySetResult()))
        {
            while (true)
            {
                var app = _app!;
                using var stopping = app.Lifetime.ApplicationStopping.Register(() =>
                {
                    if (!ReferenceEquals(app, Volatile.Read(ref _restarting))) stopRequested.TrySetResult();
                });
                var restarted = Volatile.Read(ref _restarted).Task;
                var first = await Task.WhenAny(stopRequested.Task, _failed.Task, restarted).ConfigureAwait(false);
                if (first == restarted)
                    continue; // R13: the node came back with its new identity
                if (first == _failed.Task)
                {
                    // As an Orleans silo does on a fatal error (it fails fast): a silo the cluster gave up on must not
                    // linger, nor try to leave a cluster that has removed it already (a graceful stop waits on peers that
                    // no longer answer it, up to the host's shutdown timeout). The survivors moved or ended its calls;
                    // its supervisor restarts it.
                    Logger.LogCritical("The silo stopped ({Reason}); the process exits with code {ExitCode}", _failed.Task.Result, ExitSiloFailed);
                    await KillAsync().ConfigureAwait(false);
                    return ExitSiloFailed;
                }
                await DrainAsync().ConfigureAwait(false);
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
        Services.GetRequiredService<LocalSilo>().Draining = true;
        var gateway = Services.GetService<SipGateway>();
        if (gateway is null || timeout <= TimeSpan.Zero)
            return;
        gateway.Draining = true;
        // SIP calls and browsers signalled here alike (ClientCalls refuses new browsers once the SIP gateway drains).
        var browsers = Services.GetService<Gateway.Client.ClientCalls>();
        int ActiveCalls() => gateway.ActiveCalls + (browsers?.ActiveParticipants ?? 0);
        if (ActiveCalls() == 0)
            return;

        using var cut = new CancellationTokenSource(timeout);
        // Registered only now, so the first signal (which started the drain) is not counted. Cancel keeps the
        // runtime from terminating the process: the node still leaves gracefully after the drain.
        using var sigterm = TryRegister(PosixSignal.SIGTERM, cut);
        using var sigint = TryRegister(PosixSignal.SIGINT, cut);
        Logger.LogWarning("Draining before stop: {Calls} call(s) up; no new calls; waiting up to {Timeout} for them to end (signal again to stop now)",
            ActiveCalls(), timeout);
        try
        {
            while (ActiveCalls() > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, cut.Token).ConfigureAwait(false);
            Logger.LogInformation("Drained: no calls left; leaving the cluster");
        }
        catch (OperationCanceledException)
        {
            Logger.LogWarning("Drain ended with {Calls} call(s) still up ({Why}); they are disconnected as the node leaves",
                ActiveCalls(), _drainCutBySignal ? "signalled again" : "Silo:DrainTimeout passed");
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

    /// <summary>Leaves the cluster gracefully (if still in it), then stops HTTP and closes the cluster database.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        if (_app is { } app)
        {
            try
            {
                await app.StopAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Logger.LogWarning(ex, "The silo did not stop cleanly");
            }
        }
        if (_ownedStore is not null)
            await _ownedStore.DisposeAsync().ConfigureAwait(false);
        _embeddedLock?.Dispose();
    }

    /// <summary>
    /// Stops this node as a crash would: its SIP gateway and media stop at once, then the silo stops without a graceful
    /// leave (Orleans' ungraceful stop). What a silo the cluster declared dead does, and what in-process tests use for a
    /// crash (a real crash is tested with processes and SIGKILL).
    /// </summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _app is not { } app)
            return;
        await app.Services.GetRequiredService<SipGateway>().DisposeAsync().ConfigureAwait(false);
        await app.Services.GetRequiredService<Gateway.Media.MediaNode>().DisposeAsync().ConfigureAwait(false);
        try
        {
            await app.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // an ungraceful stop may complain on the way down
        }
        if (_ownedStore is not null)
            await _ownedStore.DisposeAsync().ConfigureAwait(false);
        _embeddedLock?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_app is not null)
            await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// <c>Silo:Capacity:AudioCalls</c> when configured; otherwise the startup capacity check's estimate (seed R60,
    /// L1185: "On startup, each Conferencing Node runs an internal capacity check"): the audio path and the video path
    /// (a 720p decode and its share of composition and encode) are both measured, and the node admits what both allow in
    /// its one ledger, 12 audio calls to the HD call (<see cref="MeasuredCapacity"/>).
    /// </summary>
    private long NodeCapacityAudioCalls()
    {
        if (Configuration.Silo.Capacity.AudioCalls is { } configured)
        {
            _capacityReport = $"Capacity: {configured} audio calls (Silo:Capacity:AudioCalls); Opus {OpusCodecs.Implementation}";
            return configured;
        }
        var estimate = MediaCapacityCheck.Run(CapacityCheckOptions(Configuration.Silo.Ports.MediaRange));
        var video = VideoCapacityCheck.Run(new VideoCapacityCheckOptions { Cores = estimate.Cores });
        _capacity = estimate;
        _videoCapacity = video;
        // One ledger with the seed's weights (L1179): what both measurements allow. An audio-only deployment admits the
        // audio engine's own figure by setting Silo:Capacity:AudioCalls to it (docs/decisions.md "Capacity").
        var admitted = MeasuredCapacity.AudioCalls(estimate.AudioCalls, video.HdCalls);
        _capacityReport = $"Capacity check: {admitted} audio calls admitted ({admitted / MeasuredCapacity.AudioCallsPerHdCall} HD by the seed's weights): audio {estimate.AudioCalls} of {estimate.MeasuredAudioCalls} " +
                          $"measured on {estimate.Cores} cores (headroom {estimate.Headroom:P0}), {estimate.MicrosecondsPerCallFrame:F1} µs of media work " +
                          $"per call and 20 ms frame; video {video.HdCalls} HD calls ({video.HdCallsPerCore:F1} per core at 100 %, {video.ShareMicroseconds:F0} µs " +
                          $"per 720p participant and frame); Opus {estimate.Opus}; set Silo:Capacity:AudioCalls to override";
        return admitted;
    }

    /// <summary>
    /// The check's synthetic legs go to this silo's own media range, which is free until its media node starts: silos
    /// starting together on one host (the local cluster, process bursting) collided in the check's shared default range
    /// and failed to start. A range too small for the check's legs keeps the default.
    /// </summary>
    internal static MediaCapacityCheckOptions CapacityCheckOptions(string mediaRange)
    {
        var options = new MediaCapacityCheckOptions();
        var own = Media.Transport.PortRange.Parse(mediaRange);
        if (own.PairCount >= options.Conferences * options.ConferenceSize)
            options.Ports = own;
        return options;
    }

    /// <summary>
    /// Orleans calls this when the silo cannot go on (the cluster declared it dead, say). Instead of failing the process
    /// fast, the host stops and <see cref="RunAsync"/> exits with <see cref="ExitSiloFailed"/>; in-process tests survive it.
    /// </summary>
    private sealed class SiloFatalErrorHandler(SiloHost host) : IFatalErrorHandler
    {
        public bool IsUnexpected(Exception exception) => exception is not ThreadInterruptedException;

        public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null) =>
            host._failed.TrySetResult($"fatal error from {sender}: {context} {exception?.Message}".Trim());
    }
}
