using System.Net;
using ConferenceCluster.Runtime.Activation;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Invocation;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Messaging;
using ConferenceCluster.Runtime.Storage;
using ConferenceCluster.Runtime.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Hosting;

/// <summary>Why a silo stopped.</summary>
public enum SiloTermination
{
    /// <summary>StopAsync: drained, deactivated its grains, left the table as Dead.</summary>
    Graceful,
    /// <summary>KillAsync: gone without a word, as a crashed process.</summary>
    Killed,
    /// <summary>The membership table declared it dead while it ran.</summary>
    DeclaredDead,
}

/// <summary>
/// One silo: a membership row, a message center (silo and gateway ports), a catalog of activations and the
/// router that connects them. Build it with <see cref="SiloBuilder"/>.
/// </summary>
public sealed class Silo : IAsyncDisposable
{
    private readonly SiloOptions _options;
    private readonly MessageCenter _messageCenter;
    private readonly LocalSiloDetails _local;
    private readonly ClusterMembershipOptions _membershipOptions;
    private readonly GrainCollectionOptions _collectionOptions;
    private readonly MessagingOptions _messagingOptions;
    private readonly GrainTypeRegistry _grainTypes;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IServiceCollection _services;
    private readonly IReadOnlyList<Func<Silo, CancellationToken, Task>> _startupTasks;
    private readonly TaskCompletionSource<SiloTermination> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<SiloAddress> _knownDead = [];
    private MembershipAgent _membership = null!;
    private Catalog _catalog = null!;
    private SiloCallRouter _router = null!;
    private ClusterEventBus _events = null!;
    private ServiceProvider? _serviceProvider;
    private Task _collector = Task.CompletedTask;
    private int _stopState;

    internal Silo(
        SiloOptions options, IClusterStore store, ClusterMembershipOptions membershipOptions, GrainCollectionOptions collectionOptions,
        MessagingOptions messagingOptions, GrainTypeRegistry grainTypes, IServiceCollection services,
        IReadOnlyList<Func<Silo, CancellationToken, Task>> startupTasks, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _startupTasks = startupTasks;
        _options = options;
        Store = store;
        _membershipOptions = membershipOptions;
        _collectionOptions = collectionOptions;
        _messagingOptions = messagingOptions;
        _grainTypes = grainTypes;
        _services = services;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger($"ConferenceCluster.Silo[{options.SiloName}]");
        _messageCenter = new MessageCenter(messagingOptions, time, loggerFactory.CreateLogger<MessageCenter>());
        _local = new LocalSiloDetails(options);
    }

    public IClusterStore Store { get; }
    public string Name => _options.SiloName;
    public SiloAddress Address => _local.SiloAddress;
    public ILocalSiloDetails Details => _local;
    public IGrainFactory GrainFactory { get; private set; } = null!;
    public IClusterMembershipView Membership => _membership;
    public IClusterEventBus Events => _events;
    /// <summary>The silo's services (those given to the builder, plus the runtime's own); grains get theirs from here.</summary>
    public IServiceProvider Services => _serviceProvider ?? throw new InvalidOperationException("the silo is not started");
    public SiloStatus Status => _membership?.LocalStatus ?? SiloStatus.Created;
    /// <summary>Completes when the silo has stopped for any reason, with the reason.</summary>
    public Task<SiloTermination> Terminated => _terminated.Task;
    public int ActivationCount => _catalog?.Count ?? 0;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await Store.InitializeAsync(cancellationToken).ConfigureAwait(false);

        _messageCenter.Listen(IPAddress.Parse(_options.ListenAddress), _options.SiloPort, _options.GatewayEnabled ? _options.GatewayPort : null);
        _local.SiloAddress = new SiloAddress(_options.AdvertisedAddress, _messageCenter.SiloPort, SiloAddress.NewGeneration(_time));
        _local.GatewayPort = _options.GatewayEnabled ? _messageCenter.GatewayPort : 0;
        _messageCenter.LocalAddress = _local.SiloAddress;

        _membership = new MembershipAgent(Store.Membership, _membershipOptions, _local, _messageCenter, _time, _loggerFactory.CreateLogger<MembershipAgent>());
        var locator = new GrainLocator(Store.Directory, _membership, _local.SiloAddress);
        _events = new ClusterEventBus(_loggerFactory.CreateLogger<ClusterEventBus>())
        {
            MessageCenter = _messageCenter, Membership = _membership, LocalSilo = _local.SiloAddress,
        };

        _services.AddSingleton<ILocalSiloDetails>(_local);
        _services.AddSingleton<IClusterEventBus>(_events);
        _services.AddSingleton<IClusterMembershipView>(_membership);
        _services.AddSingleton(Store);
        _services.AddSingleton(_time);
        _services.AddSingleton(_loggerFactory);
        _services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        _services.AddSingleton<IGrainFactory>(_ => GrainFactory);
        _serviceProvider = _services.BuildServiceProvider();

        _catalog = new Catalog(_local, locator, _serviceProvider, _collectionOptions, _time, _loggerFactory.CreateLogger<Catalog>());
        _router = new SiloCallRouter(_local, _grainTypes, _catalog, locator, _membership, _messageCenter, _events, _messagingOptions, _loggerFactory.CreateLogger<SiloCallRouter>());
        GrainFactory = new GrainFactory(_router);
        _catalog.GrainFactory = GrainFactory;
        _messageCenter.OnMessage = _router.OnMessage;

        _membership.Changed += snapshot => OnMembershipChanged(snapshot, locator);
        _membership.ToldDead += () => _ = TerminateAsync(SiloTermination.DeclaredDead);

        _messageCenter.StartAccepting();
        await _membership.JoinAsync(cancellationToken).ConfigureAwait(false);
        _collector = Task.Run(CollectIdleActivationsAsync);
        foreach (var startupTask in _startupTasks)
            await startupTask(this, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Silo {Name} ({Address}) is active; gateway port {Gateway}", Name, Address, _local.GatewayPort);
    }

    private void OnMembershipChanged(MembershipSnapshot snapshot, GrainLocator locator)
    {
        var cleaner = snapshot.ActiveSilos.Select(e => e.SiloAddress).Min();
        foreach (var dead in snapshot.Entries.Where(e => e.Status == SiloStatus.Dead && e.SiloAddress != Address))
        {
            if (!_knownDead.Add(dead.SiloAddress)) continue;
            locator.InvalidateSilo(dead.SiloAddress);
            // A silo declared dead will never answer: fail what waits on it now. One that left gracefully closes
            // its own connections once its last responses are out.
            if (dead.SuspectTimes.Count > 0)
                _messageCenter.Disconnect(dead.SiloAddress);
            // Claims left by a dead silo are taken over lazily by whoever activates the grain next; one silo
            // (the lowest active address) also sweeps them, so the directory does not keep them for ever.
            if (cleaner == Address)
                _ = Store.Directory.UnregisterSiloAsync(dead.SiloAddress).ContinueWith(
                    t => _logger.LogWarning(t.Exception, "Could not remove the directory entries of {Silo}", dead.SiloAddress),
                    TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    private async Task CollectIdleActivationsAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_collectionOptions.CollectionQuantum, _time, _stopping.Token).ConfigureAwait(false);
                _catalog.CollectIdle();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Idle collection failed; retrying next quantum");
            }
        }
    }

    /// <summary>
    /// Leaves gracefully: ShuttingDown in the table (callers go elsewhere), every activation deactivated and
    /// unregistered, then Dead, then the ports close.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _stopState, 1, 0) != 0)
        {
            await Terminated.ConfigureAwait(false);
            return;
        }
        _logger.LogInformation("Silo {Name} is leaving the cluster", Name);
        _router.Stopping = true;
        try
        {
            await _membership.UpdateLocalStatusAsync(SiloStatus.ShuttingDown, cancellationToken).ConfigureAwait(false);
            await _catalog.DeactivateAllAsync().ConfigureAwait(false);
            await Store.Directory.UnregisterSiloAsync(Address, cancellationToken).ConfigureAwait(false);
            await _membership.UpdateLocalStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
            await Task.Delay(_messagingOptions.ShutdownLinger, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Graceful leave of {Name} was incomplete", Name);
        }
        await ShutDownAsync(SiloTermination.Graceful).ConfigureAwait(false);
    }

    /// <summary>Stops at once with no goodbye (as a crashed process): for tests of failure handling.</summary>
    public Task KillAsync() => TerminateAsync(SiloTermination.Killed);

    private async Task TerminateAsync(SiloTermination reason)
    {
        if (Interlocked.CompareExchange(ref _stopState, 1, 0) != 0) return;
        if (_router is not null) _router.Stopping = true;
        await ShutDownAsync(reason).ConfigureAwait(false);
    }

    private async Task ShutDownAsync(SiloTermination reason)
    {
        _stopping.Cancel();
        if (_membership is not null) await _membership.DisposeAsync().ConfigureAwait(false);
        await _messageCenter.DisposeAsync().ConfigureAwait(false);
        try { await _collector.ConfigureAwait(false); } catch (Exception) { /* cancelled */ }
        if (_serviceProvider is not null) await _serviceProvider.DisposeAsync().ConfigureAwait(false);
        _logger.LogInformation("Silo {Name} stopped ({Reason})", Name, reason);
        _terminated.TrySetResult(reason);
    }

    public async ValueTask DisposeAsync()
    {
        if (_membership is not null && Volatile.Read(ref _stopState) == 0)
            await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class LocalSiloDetails(SiloOptions options) : ILocalSiloDetails
    {
        public SiloAddress SiloAddress { get; set; } = new(options.AdvertisedAddress, options.SiloPort, 0);
        public string Name { get; } = options.SiloName;
        public string ClusterId { get; } = options.ClusterId;
        public int GatewayPort { get; set; }
        public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(options.Metadata);
    }
}
