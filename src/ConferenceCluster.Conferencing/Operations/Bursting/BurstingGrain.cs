using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Alarms;
using Orleans.Placement;
using Orleans.Runtime;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>
/// Runs the <see cref="BurstingController"/> on one silo at a time: placed by hash, kept active, ticking every
/// <see cref="BurstingOptions.TickInterval"/>. Capacity comes from the LocationGrains, which sum their live nodes' ledgers.
/// </summary>
[HashBasedPlacement]
[KeepAlive]
public sealed class BurstingGrain(
    [PersistentState("bursting", ConferencingStorage.Grains)] IPersistentState<BurstingGrainState> state,
    ConfigurationView configuration,
    IOverflowNodeProvider provider,
    AlarmRegistry alarms,
    NodeStatusHistory history,
    OperationsOptions options,
    TimeProvider time,
    ILogger<BurstingGrain> logger) : Grain, IBurstingGrain, IRemindable
{
    public const string Key = "cluster";

    private BurstingController _controller = null!;
    private DateTimeOffset _lastTick = DateTimeOffset.MinValue;

    private const string KeepRunningReminder = "keep-running";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _controller = new BurstingController(provider, alarms, history, options.Bursting, BurstingController.AlarmNode, time, logger);
        // What an earlier activation started and when: minimum lifetimes count from then (L2069), wherever it ran.
        if (state.RecordExists) _controller.Restore(state.State.Tracking);
        this.RegisterGrainTimer(_ => EvaluateAsync(), TimeSpan.Zero, options.Bursting.TickInterval);
        // The controller must run while any silo does, even if none pings it (every silo pings it each tick, faster).
        try
        {
            await this.RegisterOrUpdateReminder(KeepRunningReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The bursting controller could not register its reminder; the silos' pings keep it running");
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Tick();

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
            await PersistAsync();
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

    /// <summary>Writes what the controller follows when it changed since the last write.</summary>
    private async Task PersistAsync()
    {
        var tracking = _controller.Tracking;
        if (state.RecordExists && state.State.Tracking.SequenceEqual(tracking)) return;
        state.State = new BurstingGrainState(tracking);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The bursting controller could not write its state");
        }
    }
}

/// <summary>The bursting controller's persisted state: the overflow nodes it follows and when each was started.</summary>
[GenerateSerializer, Immutable, Alias("cc.BurstingGrainState")]
public sealed record BurstingGrainState(IReadOnlyList<TrackedOverflowNode> Tracking)
{
    public BurstingGrainState() : this([]) { }
}
