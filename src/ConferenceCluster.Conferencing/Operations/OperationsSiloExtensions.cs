using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Operations.EventSinks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations;

/// <summary>How the conferencing layer adds alarms, event sinks and bursting to a silo.</summary>
public static class OperationsSiloExtensions
{
    /// <summary>Registers the per-silo operations services; the grains come with the conferencing assembly.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, OperationsOptions options) => services
        .AddSingleton(options)
        .AddSingleton(options.EventSinks)
        .AddSingleton(options.Bursting)
        .AddSingleton<AlarmRegistry>()
        .AddSingleton<NodeConnectivityAlarms>()
        .AddSingleton<NodeStatusHistory>()
        .AddSingleton<EventSinkRepository>()
        .AddSingleton<EventSinkDispatcher>()
        .AddSingleton<BurstingControllerPing>()
        .AddSingleton<IConferenceEvents, ConferenceEventStream>()
        .AddSingleton<IOverflowNodeProvider>(sp => OverflowNodeProviders.Create(options.Bursting,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));

    /// <summary>
    /// Starts this silo's event sink publishing and connectivity alarms, and wakes the bursting controller (part of the
    /// conferencing startup once the silo is active).
    /// </summary>
    /// <remarks>
    /// Not cancellable: it is one quick read of the sinks, and a stop requested while the silo is still starting must
    /// find it started (its stop path disposes the dispatcher), not fail the start.
    /// </remarks>
    public static async Task StartOperationsAsync(this IServiceProvider services)
    {
        await services.GetRequiredService<EventSinkDispatcher>().StartAsync(CancellationToken.None).ConfigureAwait(false);
        services.GetRequiredService<NodeConnectivityAlarms>().Start();
        if (services.GetRequiredService<OperationsOptions>().Bursting.Provider != OverflowProviderKind.None)
            services.GetRequiredService<BurstingControllerPing>().Start();
    }
}
