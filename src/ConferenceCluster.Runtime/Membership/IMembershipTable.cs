namespace ConferenceCluster.Runtime.Membership;

/// <summary>
/// The membership table of one cluster (Orleans' IMembershipTable, same semantics as its ADO.NET provider).
/// Every write except <see cref="UpdateIAmAliveAsync"/> is optimistic: it carries the new table version
/// (current + 1) and succeeds only if the stored version is still <c>newVersion.Version - 1</c>; the row
/// write and the version bump happen in one transaction.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates the schema if needed and the cluster's version row (version 0) if missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts a row that must not exist yet. False when the version moved on or the row exists.</summary>
    Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion newVersion, CancellationToken cancellationToken = default);

    /// <summary>Replaces a row whose etag is still <paramref name="etag"/>. False when either the row or the version moved on.</summary>
    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion newVersion, CancellationToken cancellationToken = default);

    /// <summary>Blind write of the row's IAmAliveTime only; does not bump the version nor the row's etag.</summary>
    Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Deletes rows that are not Active and whose IAmAliveTime is before <paramref name="beforeDate"/>.</summary>
    Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default);

    /// <summary>Deletes the whole cluster's rows (tests and tear-down only).</summary>
    Task DeleteClusterAsync(CancellationToken cancellationToken = default);
}
