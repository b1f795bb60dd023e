using System.Reflection;
using ConferenceCluster.Runtime.Activation;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Invocation;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Messaging;
using ConferenceCluster.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConferenceCluster.Runtime.Hosting;

/// <summary>Configures and builds a <see cref="Silo"/>: its options, cluster store, grains and services.</summary>
public sealed class SiloBuilder
{
    private readonly SiloOptions _options;
    private ClusterMembershipOptions _membership = new();
    private readonly GrainCollectionOptions _collection = new();
    private MessagingOptions _messaging = new();
    private readonly GrainTypeRegistry _grainTypes = new();
    private readonly IServiceCollection _services = new ServiceCollection();
    private readonly List<Func<Silo, CancellationToken, Task>> _startupTasks = [];
    private IClusterStore? _store;
    private TimeProvider _time = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;

    public SiloBuilder(SiloOptions options) => _options = options;

    public SiloBuilder UseStore(IClusterStore store)
    {
        _store = store;
        return this;
    }

    public SiloBuilder ConfigureMembership(Action<ClusterMembershipOptions> configure)
    {
        configure(_membership);
        return this;
    }

    /// <summary>Uses these membership options as they are (a host binds them from configuration).</summary>
    public SiloBuilder UseMembershipOptions(ClusterMembershipOptions options)
    {
        _membership = options;
        return this;
    }

    /// <summary>Uses these messaging options as they are (a host binds them from configuration).</summary>
    public SiloBuilder UseMessagingOptions(MessagingOptions options)
    {
        _messaging = options;
        return this;
    }

    public SiloBuilder ConfigureCollection(Action<GrainCollectionOptions> configure)
    {
        configure(_collection);
        return this;
    }

    public SiloBuilder ConfigureMessaging(Action<MessagingOptions> configure)
    {
        configure(_messaging);
        return this;
    }

    public SiloBuilder AddGrain<TGrainInterface, TGrain>() where TGrainInterface : IGrainWithStringKey where TGrain : Grain, TGrainInterface
    {
        _grainTypes.Add(typeof(TGrainInterface), typeof(TGrain));
        return this;
    }

    public SiloBuilder AddGrainsFromAssembly(Assembly assembly)
    {
        _grainTypes.AddAssembly(assembly);
        return this;
    }

    /// <summary>Services grains may take in their constructors.</summary>
    public SiloBuilder ConfigureServices(Action<IServiceCollection> configure)
    {
        configure(_services);
        return this;
    }

    /// <summary>
    /// Runs once the silo is Active, before <see cref="Silo.StartAsync"/> returns (Orleans' startup tasks): the place
    /// for a layer above the runtime to load its state and activate its per-silo grains. A failing task fails the start.
    /// </summary>
    public SiloBuilder AddStartupTask(Func<Silo, CancellationToken, Task> startupTask)
    {
        _startupTasks.Add(startupTask);
        return this;
    }

    public SiloBuilder UseTimeProvider(TimeProvider time)
    {
        _time = time;
        return this;
    }

    public SiloBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        return this;
    }

    public Silo Build() => new(
        _options,
        _store ?? throw new InvalidOperationException("a silo needs a cluster store: call UseStore"),
        _membership, _collection, _messaging, _grainTypes, _services, _startupTasks, _time, _loggerFactory);
}
