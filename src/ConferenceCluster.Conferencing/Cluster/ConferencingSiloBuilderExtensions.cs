using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Conferencing.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>How a silo host adds the conferencing layer to its Orleans silo.</summary>
public static class ConferencingSiloBuilderExtensions
{
    /// <summary>
    /// Registers the conferencing services (configuration view, live nodes, history, recovery, operations), this silo's
    /// node metadata (Orleans silo metadata), the silo-name placement of the per-node grains, and two startup steps:
    /// before the silo joins, the configuration is loaded and the node registers itself (so a node is never active in the
    /// cluster before its record and its rooms are there); once it is active, its NodeGrain, recovery and operations start.
    /// </summary>
    public static ISiloBuilder AddConferencing(this ISiloBuilder builder, LocalNode node, Action<ConferencingOptions>? configure = null, OperationsOptions? operations = null)
    {
        var options = new ConferencingOptions();
        configure?.Invoke(options);
        builder.UseSiloMetadata(node.Metadata.ToDictionary(StringComparer.Ordinal));
        builder.AddPlacementDirector<SiloNamePlacement, SiloNamePlacementDirector>();
        // The conference events' streams; their subscriptions live in the host's "PubSubStore" grain storage.
        builder.AddMemoryStreams(ConferenceEventStreams.Provider);
        builder.Services
            .AddSingleton(options)
            .AddSingleton(node)
            .AddSingleton<ConfigurationView>()
            .AddSingleton<ConfigurationRepository>()
            .AddSingleton<ClusterNodes>()
            .AddSingleton<MembershipChanges>()
            .AddSingleton<RunningConferences>()
            .AddSingleton<HistoryWriter>()
            .AddSingleton<ConferenceRecovery>()
            .AddSingleton<ConferencingReadiness>()
            .AddOperations(operations ?? new OperationsOptions());
        // The Gateway replaces it with the media nodes' wiring; without a media layer topologies are only computed.
        builder.Services.TryAddSingleton<IBackplaneWiring, NoBackplaneWiring>();
        builder.Services.TryAddSingleton<IVideoLayoutWiring, NoVideoLayoutWiring>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ConferencingShutdown>();
        builder.AddStartupTask(PrepareNodeAsync, ServiceLifecycleStage.ApplicationServices);
        builder.AddStartupTask(StartNodeAsync, ServiceLifecycleStage.Active);
        builder.AddStartupTask((services, _) =>
        {
            services.GetRequiredService<ConferencingReadiness>().MarkReady();
            return Task.CompletedTask;
        }, ServiceLifecycleStage.Last);
        return builder;
    }

    /// <summary>
    /// Work that must be done before the node joins the cluster (a startup step at <see cref="ServiceLifecycleStage.ApplicationServices"/>):
    /// the host's own preparation (demo rooms, say) runs here too, as <see cref="IBeforeJoiningStep"/>s.
    /// </summary>
    private static async Task PrepareNodeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<ConferencingOptions>();
        var view = services.GetRequiredService<ConfigurationView>();
        await view.StartAsync(cancellationToken).ConfigureAwait(false);
        if (options.SelfRegisterNode)
        {
            var node = services.GetRequiredService<LocalNode>();
            await services.GetRequiredService<ConfigurationRepository>().RegisterSelfAsync(node.Describe(options), cancellationToken).ConfigureAwait(false);
        }
        foreach (var step in services.GetServices<IBeforeJoiningStep>())
            await step.RunAsync(cancellationToken).ConfigureAwait(false);
        await view.RefreshAsync(force: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Once the silo is active: its NodeGrain (the node's capacity ledger), membership reactions and operations.</summary>
    private static async Task StartNodeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        services.GetRequiredService<MembershipChanges>().Start();
        await grains.GetGrain<INodeGrain>(services.GetRequiredService<LocalNode>().Name).GetStatus().ConfigureAwait(false);
        services.GetRequiredService<ConferenceRecovery>().Start();
        await services.StartOperationsAsync().ConfigureAwait(false);
    }
}

/// <summary>Host preparation that must be done before the node joins the cluster (the demo rooms, for instance).</summary>
public interface IBeforeJoiningStep
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Whether this silo can serve a call: its conferencing layer has started, after the silo became active (the last
/// startup step). The host's readiness probe and its SIP gateway follow it.
/// </summary>
public sealed class ConferencingReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Completes when the silo is ready.</summary>
    public Task Ready => _ready.Task;

    internal void MarkReady() => _ready.TrySetResult();
}

/// <summary>
/// Stops the per-silo loops with the silo, not when its host is disposed later: configuration polling, event sink
/// publishing, the bursting ping, membership reactions (a stopped silo must not keep reading a store it closed).
/// </summary>
internal sealed class ConferencingShutdown(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ConferencingShutdown), ServiceLifecycleStage.ApplicationServices, _ => Task.CompletedTask, async _ =>
        {
            await services.GetRequiredService<Operations.Bursting.BurstingControllerPing>().DisposeAsync().ConfigureAwait(false);
            await services.GetRequiredService<Operations.EventSinks.EventSinkDispatcher>().DisposeAsync().ConfigureAwait(false);
            services.GetRequiredService<Operations.Alarms.NodeConnectivityAlarms>().Dispose();
            await services.GetRequiredService<MembershipChanges>().DisposeAsync().ConfigureAwait(false);
            await services.GetRequiredService<ConfigurationView>().DisposeAsync().ConfigureAwait(false);
        });
}
