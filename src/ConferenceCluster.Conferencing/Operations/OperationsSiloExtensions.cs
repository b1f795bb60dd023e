using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Conferencing.Operations.EventSinks;
using ConferenceCluster.Runtime.Hosting;
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
        .AddSingleton<IConferenceEvents, ConferenceEventPublisher>()
        .AddSingleton<IOverflowNodeProvider>(sp => OverflowNodeProviders.Create(options.Bursting,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));

    /// <summary>
    /// Starts this silo's event sink publishing and connectivity alarms, and wakes the bursting controller (part of the
    /// conferencing startup task).
    /// </summary>
    /// <remarks>
    /// Not cancellable: it is one quick read of the sinks, and a stop requested while the silo is still starting must
    /// find it started (its stop path disposes the dispatcher), not fail the start.
    /// </remarks>
    public static async Task StartOperationsAsync(this Silo silo)
    {
        await silo.Services.GetRequiredService<EventSinkDispatcher>().StartAsync(CancellationToken.None).ConfigureAwait(false);
        silo.Services.GetRequiredService<NodeConnectivityAlarms>().Start();
        var options = silo.Services.GetRequiredService<OperationsOptions>();
        if (options.Bursting.Provider != OverflowProviderKind.None)
            _ = KeepBurstingControllerAliveAsync(silo, options.Bursting.TickInterval);
    }

    /// <summary>
    /// Pings the bursting grain every tick interval from every silo, so it is reactivated promptly on a survivor when
    /// its silo dies. Ends when the silo stops.
    /// </summary>
    private static async Task KeepBurstingControllerAliveAsync(Silo silo, TimeSpan interval)
    {
        var time = silo.Services.GetRequiredService<TimeProvider>();
        var logger = silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OperationsSiloExtensions));
        while (silo.Status is Runtime.Membership.SiloStatus.Active or Runtime.Membership.SiloStatus.Joining or Runtime.Membership.SiloStatus.Created)
        {
            try
            {
                await silo.GrainFactory.GetGrain<IBurstingGrain>(BurstingGrain.Key).Tick().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Bursting controller ping failed; retrying in {Interval}", interval);
            }
            await Task.Delay(interval, time).ConfigureAwait(false);
        }
    }
}
