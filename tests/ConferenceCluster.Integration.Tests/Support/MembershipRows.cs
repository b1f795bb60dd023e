using System.Globalization;
using Npgsql;

namespace ConferenceCluster.Integration.Tests;

/// <summary>One silo's row of the membership table that Orleans' ADO.NET clustering writes (<c>cc_membership_silo</c>).</summary>
/// <param name="Address">The silo's address as Orleans prints it in suspect votes: <c>ip:port@generation</c>.</param>
/// <param name="Status">Orleans' <c>SiloStatus</c>: 3 Active, 6 Dead.</param>
/// <param name="Voters">Who voted the silo suspect (Orleans' <c>SuspectTimes</c>), each voter's address in the same form.</param>
internal sealed record MembershipRow(string SiloName, string Address, int Status, IReadOnlyList<string> Voters, DateTime IAmAliveTime)
{
    public const int Active = 3;
    public const int Dead = 6;

    public override string ToString() =>
        $"{SiloName} {Address} status {Status} alive {IAmAliveTime:HH:mm:ss.fff} votes [{string.Join(", ", Voters)}]";
}

/// <summary>
/// Reads the membership table straight from PostgreSQL (Sql/OrleansProviders/PostgreSQL-Membership.sql): what the
/// silos agreed on and wrote through Orleans' provider, not what one of them says.
/// </summary>
internal static class MembershipRows
{
    public static async Task<IReadOnlyList<MembershipRow>> ReadAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT silo_name, address, port, generation, status, suspect_times, i_am_alive_time FROM cc_membership_silo WHERE cluster_id = @id", connection);
        command.Parameters.AddWithValue("id", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync())
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(1)}:{reader.GetInt32(2)}@{reader.GetInt32(3)}");
            var suspectTimes = reader.IsDBNull(5) ? "" : reader.GetString(5);
            rows.Add(new MembershipRow(reader.GetString(0), address, reader.GetInt32(4), Voters(suspectTimes), reader.GetDateTime(6)));
        }
        return rows;
    }

    /// <summary><c>voter,time|voter,time</c>, the voter as <c>ip:port@generation</c> (Orleans' SiloAddress.ToParsableString).</summary>
    private static List<string> Voters(string suspectTimes) =>
        suspectTimes.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(vote => vote.Split(',')[0]).ToList();
}
