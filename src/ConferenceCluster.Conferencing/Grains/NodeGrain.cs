using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Cluster;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// The capacity ledger of the Conferencing Node this silo is. Pinned to its silo and never collected: the ledger is
/// the node's truth and lives exactly as long as the node (a restarted silo starts empty, as its calls are gone).
/// </summary>
[SiloNamePlacement]
[KeepAlive]
public sealed class NodeGrain(ConfigurationView configuration, LocalNode localNode, ConferencingOptions options, ILogger<NodeGrain> logger) : Grain, INodeGrain
{
    private NodeCapacityLedger _ledger = null!;
    private ConferencingNode _node = null!;
    private CapacityUnits? _measuredCapacity;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (this.GetPrimaryKeyString() != localNode.Name)
            throw new InvalidOperationException($"NodeGrain \"{this.GetPrimaryKeyString()}\" activated on silo \"{localNode.Name}\".");
        _node = Configured();
        _ledger = new NodeCapacityLedger(_node.MediaCapacity) { MaintenanceMode = _node.MaintenanceMode };
        return Task.CompletedTask;
    }

    public Task<ReservationResult> TryReserve(string conference, CapacityUnits units)
    {
        Sync();
        var granted = _ledger.TryReserve(conference, units);
        return Task.FromResult(new ReservationResult(granted, Report()));
    }

    public Task<NodeLoadReport> Release(string conference, CapacityUnits units)
    {
        Sync();
        var held = _ledger.HeldBy(conference);
        if (units > held)
        {
            // Only after a reconciliation raced a release; never give back more than the conference holds.
            logger.LogWarning("{Conference} released {Units} on {Node} but holds {Held}", conference, units, _node.Name, held);
            units = held;
        }
        _ledger.Release(conference, units);
        return Task.FromResult(Report());
    }

    public Task<NodeLoadReport> Reconcile(string conference, CapacityUnits held)
    {
        Sync();
        var current = _ledger.HeldBy(conference);
        if (current > held)
        {
            _ledger.Release(conference, current - held);
        }
        else if (current < held)
        {
            // The conference says it holds more than the ledger knows: record it even past capacity or in maintenance,
            // because those calls are running (existing calls always continue, L11666).
            var maintenance = _ledger.MaintenanceMode;
            var capacity = _ledger.Capacity;
            _ledger.MaintenanceMode = false;
            _ledger.ChangeCapacity(CapacityUnits.Max(capacity, _ledger.Load + (held - current)));
            _ledger.TryReserve(conference, held - current);
            _ledger.ChangeCapacity(capacity);
            _ledger.MaintenanceMode = maintenance;
        }
        return Task.FromResult(Report());
    }

    public Task<NodeLoadReport> GetStatus()
    {
        Sync();
        return Task.FromResult(Report());
    }

    public Task<NodeLoadReport> SetMeasuredCapacity(CapacityUnits capacity)
    {
        _measuredCapacity = capacity;
        Sync();
        return Task.FromResult(Report());
    }

    /// <summary>Applies the current configuration (maintenance mode, capacity) before each request: the view is in memory.</summary>
    private void Sync()
    {
        var configured = Configured();
        if (configured == _node) return;
        _node = configured;
        _ledger.MaintenanceMode = configured.MaintenanceMode;
        if (_ledger.Capacity != configured.MediaCapacity) _ledger.ChangeCapacity(configured.MediaCapacity);
    }

    private ConferencingNode Configured()
    {
        var node = configuration.Current.Nodes.TryGetValue(localNode.Name, out var record)
            ? record.Node
            : localNode.Describe(options);
        return _measuredCapacity is { } measured ? node with { MediaCapacity = measured } : node;
    }

    private NodeLoadReport Report() => new(_node, _ledger.Load, _ledger.LoadPercent, _ledger.HeldByConference.Count);
}
