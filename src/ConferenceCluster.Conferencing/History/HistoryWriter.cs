using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Storage.Documents;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.History;

/// <summary>
/// Writes history records to the cluster database. A failed write is logged and dropped: history must never
/// hold up or break a call.
/// </summary>
public sealed class HistoryWriter(IClusterDocumentStore store, ConferencingOptions options, ILogger<HistoryWriter> logger)
{
    public Task WriteAsync(ParticipantHistoryRecord record) => WriteAsync(HistoryCollections.Participants, record.Id, record);

    public Task WriteAsync(ConferenceHistoryRecord record) => WriteAsync(HistoryCollections.Conferences, record.Id, record);

    public async Task<IReadOnlyList<ParticipantHistoryRecord>> ParticipantsAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(HistoryCollections.Participants, cancellationToken).ConfigureAwait(false))
        .Select(d => ConfigurationCollections.Deserialize<ParticipantHistoryRecord>(d.Json)).ToList();

    public async Task<IReadOnlyList<ConferenceHistoryRecord>> ConferencesAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(HistoryCollections.Conferences, cancellationToken).ConfigureAwait(false))
        .Select(d => ConfigurationCollections.Deserialize<ConferenceHistoryRecord>(d.Json)).ToList();

    private async Task WriteAsync<T>(string collection, string id, T record)
    {
        if (!options.WriteHistory) return;
        try
        {
            await store.TryInsertAsync(collection, id, ConfigurationCollections.Serialize(record)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not write {Collection} record {Id}", collection, id);
        }
    }
}
