using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Runtime.Core;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>The cluster's one bursting controller (key <see cref="BurstingGrain.Key"/>): status and the manual start.</summary>
public interface IBurstingGrain : IGrainWithStringKey
{
    /// <summary>Activates it if needed and evaluates now; every silo calls it periodically so a controller lost with its silo comes back.</summary>
    Task Tick();

    Task<BurstingStatus> GetStatus();

    /// <summary><c>start_cloudnode</c> (AZ:679).</summary>
    Task<ManualStartOutcome> StartNode(string node);
}

/// <summary>
/// Runs the <see cref="BurstingController"/> on one silo at a time: placed by hash, kept active, ticking every
/// <see cref="BurstingOptions.TickInterval"/>. Capacity comes from the LocationGrains, which sum their live nodes' ledgers.
/// </summary>
[HashBasedPlacement]
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class BurstingGrain(
    ConfigurationView configuration,
    IOverflowNodeProvider provider,
    AlarmRegistry alarms,
    NodeStatusHistory history,
    OperationsOptions options,
    TimeProvider time,
    ILogger<BurstingGrain> logger) : Grain, IBurstingGrain
{
    public const string Key = "cluster";

    private BurstingController _controller = null!;
    private DateTimeOffset _lastTick = DateTimeOffset.MinValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _controller = new BurstingController(provider, alarms, history, options.Bursting, BurstingController.AlarmNode, time, logger);
        RegisterTimer(_ => EvaluateAsync(), TimeSpan.Zero, options.Bursting.TickInterval);
        return Task.CompletedTask;
    }

    public async Task Tick()
    {
        // Pings from every silo keep it alive; they evaluate only when the timer is behind.
        if (time.GetUtcNow() - _lastTick >= options.Bursting.TickInterval) await EvaluateAsync();
    }

    public Task<BurstingStatus> GetStatus() => Task.FromResult(_controller.Status);

    public async Task<ManualStartOutcome> StartNode(string node)
    {
        var outcome = await _controller.StartManuallyAsync(node, configuration.Current.Nodes.Values.Select(n => n.Node).ToList());
        await EvaluateAsync();
        return outcome;
    }

    private async Task EvaluateAsync()
    {
        _lastTick = time.GetUtcNow();
        try
        {
            await _controller.TickAsync(await WorldAsync());
            await alarms.LowerAsync(AlarmCatalogue.BurstingError, BurstingController.AlarmNode, "controller");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "administrator.apps.cloudbursting evaluation failed");
            await alarms.RaiseAsync(AlarmCatalogue.BurstingError, BurstingController.AlarmNode, "controller", ex.Message);
        }
    }

    private async Task<BurstingWorld> WorldAsync()
    {
        var config = configuration.Current;
        var statuses = await Task.WhenAll(config.Locations.Keys.Select(l => GrainFactory.GetGrain<ILocationGrain>(l).GetStatus()));
        var loads = statuses.ToDictionary(s => s.Location,
            s => new LocationLoad(s.Location, s.Capacity.AvailableHdCalls, s.Capacity.Load.Value > 0), StringComparer.Ordinal);
        var live = statuses.SelectMany(s => s.Nodes).ToDictionary(n => n.Node.Name, n => n.Conferences, StringComparer.Ordinal);
        return new BurstingWorld(config.Global, config.Locations.Values.ToList(), config.Nodes.Values.Select(n => n.Node).ToList(), live, loads);
    }
}
