using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>What happened to an overflow node: started, running (joined the cluster), stopped (L2126, L15329–15333).</summary>
public static class NodeStatusEvents
{
    public const string Start = "start";
    public const string Running = "running";
    public const string Stop = "stop";
}

/// <summary>One Conferencing Node History entry, with the reason where there is one ("no longer needed", "manual start").</summary>
public sealed record NodeStatusEvent(string Id, string Node, string Location, string Event, string Reason, DateTimeOffset Time);

/// <summary>Conferencing Node History in the cluster database (<c>/api/admin/history/v1/workervm_status_event/</c>).</summary>
public sealed class NodeStatusHistory(IClusterDocumentStore store, TimeProvider time, ILogger<NodeStatusHistory> logger)
{
    public const string Collection = "history_workervm_status_event";

    /// <summary>Writes the event; a failed write is logged, never thrown (history must not stop the controller).</summary>
    /// <param name="at">When it happened; now by default.</param>
    public async Task RecordAsync(string node, string location, string @event, string reason, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        var now = at ?? time.GetUtcNow();
        // Sortable ids: the time first, so the store's id order is the history's order.
        var record = new NodeStatusEvent($"{now.UtcTicks:D19}-{Guid.NewGuid():N}", node, location, @event, reason, now);
        logger.LogInformation("administrator.apps.cloudbursting Node={Node} Event={Event} Reason=\"{Reason}\"", node, @event, reason);
        try
        {
            await store.TryInsertAsync(Collection, record.Id, ConfigurationCollections.Serialize(record), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not write node history {Event} of {Node}", @event, node);
        }
    }

    public async Task<IReadOnlyList<NodeStatusEvent>> ListAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(Collection, cancellationToken).ConfigureAwait(false))
        .Select(d => ConfigurationCollections.Deserialize<NodeStatusEvent>(d.Json)).ToList();
}
