using System.Text.Json;
using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// What the silos of one cluster must agree on, recorded in the cluster database by the cluster's first silo and checked
/// by every silo before it joins: Orleans' <c>ServiceId</c> (grain state and reminders are keyed by it) and our
/// compatibility version (grain contracts and persisted state that silos of one cluster can run side by side). Orleans
/// itself checks only the cluster id on its connections, so a silo of another service or of an incompatible release with
/// the same <c>Cluster:Id</c> would join and read or write state it does not understand. Such a silo is refused before it
/// joins and writes nothing. A release of another compatibility version takes the cluster over only once none of the
/// recorded version's silos runs (stop them all, then start the new release).
/// </summary>
public sealed class ClusterCompatibility(IClusterDocumentStore documents, string clusterId, string serviceId, string siloName, TimeProvider time)
{
    /// <summary>
    /// Raised when a release changes grain contracts or persisted state so that its silos cannot run beside the previous
    /// release's (no rolling upgrade: the cluster is stopped and started on the new release). Changes that Orleans'
    /// version tolerance covers ([Id]s added, [Alias] names kept) do not raise it.
    /// </summary>
    public const int Version = 1;

    public const string Collection = "cluster";
    public const string DocumentId = "compatibility";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The record: the cluster's service id and compatibility version, and which silo wrote them when.</summary>
    public sealed record Stamp(string ServiceId, int CompatibilityVersion, string WrittenBy, DateTimeOffset WrittenAt);

    /// <summary>Records this silo's stamp if the cluster has none; otherwise checks it against the recorded one.</summary>
    /// <param name="liveSilos">How many silos of the cluster run now (a version change waits until none does).</param>
    /// <returns>A line for the log when this silo changed the record; null when it matched or was first.</returns>
    /// <exception cref="SiloRefusedException">The cluster is another service's, or runs silos of another compatibility version.</exception>
    public async Task<string?> CheckAsync(Func<CancellationToken, Task<int>> liveSilos, CancellationToken cancellationToken)
    {
        var mine = new Stamp(serviceId, Version, siloName, time.GetUtcNow());
        var stored = await documents.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            if (await documents.TryInsertAsync(Collection, DocumentId, Serialize(mine), cancellationToken).ConfigureAwait(false) is not null)
                return null;
            stored = await documents.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false)
                     ?? throw new InvalidOperationException($"cluster {clusterId}'s compatibility record ({Collection}/{DocumentId}) vanished while it was written");
        }
        var theirs = JsonSerializer.Deserialize<Stamp>(stored.Json, JsonOptions)
                     ?? throw new SiloRefusedException($"cluster {clusterId}'s compatibility record ({Collection}/{DocumentId} in the cluster database) is empty");
        var recorded = $"(recorded by silo {theirs.WrittenBy} at {theirs.WrittenAt:u})";
        if (theirs.ServiceId != serviceId)
            throw new SiloRefusedException(
                $"Cluster {clusterId} in this database belongs to service '{theirs.ServiceId}' {recorded}, but this silo is of service '{serviceId}': " +
                "a cluster's grain state and reminders are keyed by its service, so the silo does not join. Use another Cluster:Id or database.");
        if (theirs.CompatibilityVersion == Version)
            return null;
        var running = await liveSilos(cancellationToken).ConfigureAwait(false);
        if (running > 0)
            throw new SiloRefusedException(
                $"Cluster {clusterId} in this database runs compatibility version {theirs.CompatibilityVersion} {recorded} with {running} silo(s) active, " +
                $"but this silo is of version {Version}: the two cannot run in one cluster, so the silo does not join. " +
                "Stop every silo of the cluster before starting this release, or use another Cluster:Id.");
        if (await documents.TryUpdateAsync(Collection, DocumentId, Serialize(mine), stored.Version, cancellationToken).ConfigureAwait(false) is null)
            throw new SiloRefusedException($"Cluster {clusterId}'s compatibility record changed while this silo checked it; start the silo again.");
        return $"Cluster {clusterId} moves from compatibility version {theirs.CompatibilityVersion} to {Version}: none of its silos ran, so this silo took it over";
    }

    private static string Serialize(Stamp stamp) => JsonSerializer.Serialize(stamp, JsonOptions);
}

/// <summary>A silo that must not join the cluster it was pointed at; the message says why and what to change (exit code 2).</summary>
public sealed class SiloRefusedException(string message, Exception? inner = null) : Exception(message, inner);
