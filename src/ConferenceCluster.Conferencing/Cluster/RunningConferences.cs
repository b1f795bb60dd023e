using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>
/// Which conference instances are running, cluster-wide: a small record per instance in the cluster database (collection
/// <c>conference_instance</c>), written when an instance starts and deleted when it ends. The instance's own state lives in
/// its grain's persistent state; this list is what the status API and <see cref="ConferenceRecovery"/> enumerate, which
/// Orleans' grain storage cannot do.
/// </summary>
public sealed class RunningConferences(IClusterDocumentStore documents)
{
    public const string Collection = "conference_instance";

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        (await documents.ListAsync(Collection, cancellationToken).ConfigureAwait(false)).Select(d => d.Id).ToList();

    /// <summary>Records the instance as running (idempotent: an existing record is left as it is).</summary>
    public async Task StartedAsync(string conference, DateTimeOffset startedAt, CancellationToken cancellationToken = default)
    {
        if (await documents.GetAsync(Collection, conference, cancellationToken).ConfigureAwait(false) is not null) return;
        await documents.TryInsertAsync(Collection, conference,
            System.Text.Json.JsonSerializer.Serialize(new { started_at = startedAt }), cancellationToken).ConfigureAwait(false);
    }

    public Task EndedAsync(string conference, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(Collection, conference, cancellationToken: cancellationToken);
}
