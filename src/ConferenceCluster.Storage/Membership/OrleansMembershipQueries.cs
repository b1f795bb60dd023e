using Npgsql;

namespace ConferenceCluster.Storage.Membership;

/// <summary>
/// Read-only questions a silo asks the membership table of Orleans' ADO.NET clustering on PostgreSQL before it joins
/// (<c>cc_membership_silo</c>, Sql/OrleansProviders/PostgreSQL-Membership.sql); only Orleans' provider writes it.
/// </summary>
public static class OrleansMembershipQueries
{
    /// <summary>Orleans' <c>SiloStatus.Active</c> in the table's status column.</summary>
    private const int Active = 3;

    /// <summary>
    /// How many silos of <paramref name="clusterId"/> are Active with an IAmAlive written within <paramref name="freshness"/>:
    /// the silos that run now. A silo killed while it was the last of its cluster keeps an Active row that nobody voted
    /// dead; its stale IAmAlive leaves it out (Orleans ignores such rows the same way, after
    /// IAmAliveTablePublishTimeout × NumMissedTableIAmAliveLimit).
    /// </summary>
    public static async Task<int> CountLiveSilosAsync(string connectionString, string clusterId, TimeSpan freshness, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM cc_membership_silo WHERE cluster_id = @cluster AND status = @active AND i_am_alive_time > now() - @freshness",
            connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("active", Active);
        command.Parameters.AddWithValue("freshness", freshness);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
