using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using ConferenceCluster.Conferencing.Operations;
using ConferenceCluster.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>How a silo host adds the conferencing layer.</summary>
public static class ConferencingSiloExtensions
{
    /// <summary>
    /// Registers the conferencing grains and the per-silo services they take (configuration view, live nodes, history),
    /// and a startup task that runs <see cref="StartConferencingAsync"/> once the silo is active.
    /// </summary>
    public static SiloBuilder AddConferencing(this SiloBuilder builder, Action<ConferencingOptions>? configure = null, OperationsOptions? operations = null)
    {
        var options = new ConferencingOptions();
        configure?.Invoke(options);
        return builder
            .AddGrainsFromAssembly(typeof(ConferenceGrain).Assembly)
            .AddStartupTask((silo, cancellationToken) => silo.StartConferencingAsync(cancellationToken))
            .ConfigureServices(services =>
            {
                services
                    .AddSingleton(options)
                    .AddSingleton<ConfigurationView>()
                    .AddSingleton<ConfigurationRepository>()
                    .AddSingleton<ClusterNodes>()
                    .AddSingleton<HistoryWriter>()
                    .AddSingleton<ConferenceRecovery>()
                    .AddOperations(operations ?? new OperationsOptions());
                // The Gateway replaces it with the media nodes' wiring; without a media layer topologies are only computed.
                services.TryAddSingleton<IBackplaneWiring, NoBackplaneWiring>();
            });
    }

    /// <summary>
    /// Runs as the silo's startup task (see <see cref="AddConferencing"/>); idempotent. Loads the configuration and starts polling it, registers this silo as a
    /// Conferencing Node from its metadata (unless an operator configured it), and activates its NodeGrain.
    /// </summary>
    public static async Task StartConferencingAsync(this Silo silo, CancellationToken cancellationToken = default)
    {
        var options = silo.Services.GetRequiredService<ConferencingOptions>();
        var view = silo.Services.GetRequiredService<ConfigurationView>();
        await view.StartAsync(cancellationToken).ConfigureAwait(false);
        if (options.SelfRegisterNode)
        {
            var repository = silo.Services.GetRequiredService<ConfigurationRepository>();
            await repository.RegisterSelfAsync(NodeSelfRegistration.FromMetadata(silo.Name, silo.Details.Metadata, options), cancellationToken).ConfigureAwait(false);
            await view.RefreshAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        await silo.GrainFactory.GetGrain<INodeGrain>(silo.Name).GetStatus().ConfigureAwait(false);
        silo.Services.GetRequiredService<ConferenceRecovery>().Start();
        await silo.StartOperationsAsync().ConfigureAwait(false);
    }
}
