using ConferenceCluster.Runtime.Membership;
using Npgsql;

namespace ConferenceCluster.Runtime.Sql.Postgres;

/// <summary>Orleans' membership table on PostgreSQL: versioned optimistic writes, blind IAmAlive.</summary>
internal sealed class PostgresMembershipTable(PostgresDatabase database) : IMembershipTable
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = database.Command(PostgresSql.InsertMembershipVersion);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var command = database.Command(PostgresSql.ReadAllMembership);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int? version = null;
        var rows = new List<MembershipRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt32(0);
            if (reader.IsDBNull(1))
                continue; // the outer join's row for a cluster without silos
            var entry = new MembershipEntry
            {
                SiloAddress = new SiloAddress(reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3)),
                SiloName = reader.GetString(4),
                HostName = reader.GetString(5),
                Status = (SiloStatus)reader.GetInt32(6),
                GatewayPort = reader.IsDBNull(7) ? 0 : reader.GetInt32(7),
                SuspectTimes = MembershipColumns.ParseSuspectTimes(reader.IsDBNull(8) ? null : reader.GetString(8)),
                Metadata = MembershipColumns.ParseMetadata(reader.IsDBNull(9) ? null : reader.GetString(9)),
                StartTime = reader.GetFieldValue<DateTimeOffset>(10),
                IAmAliveTime = reader.GetFieldValue<DateTimeOffset>(11),
            };
            rows.Add(new MembershipRow(entry, MembershipColumns.FormatETag(reader.GetInt32(12))));
        }
        if (version is not { } current)
            throw new InvalidOperationException(
                $"The membership table of cluster '{database.ClusterId}' has no version row: call InitializeAsync first.");
        return new MembershipTableData(rows, new TableVersion(current, MembershipColumns.FormatETag(current)));
    }

    public async Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return await WriteVersionedAsync(newVersion, async (connection, transaction) =>
        {
            await using var command = database.Command(PostgresSql.InsertMembership, connection, transaction);
            BindRow(command.Parameters, entry);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!MembershipColumns.TryParseETag(etag, out var expectedETag))
            return false;
        return await WriteVersionedAsync(newVersion, async (connection, transaction) =>
        {
            await using var command = database.Command(PostgresSql.UpdateMembership, connection, transaction);
            BindRow(command.Parameters, entry);
            command.Parameters.With("etag", expectedETag);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var command = database.Command(PostgresSql.UpdateIAmAlive);
        BindKey(command.Parameters, entry.SiloAddress);
        command.Parameters.With("iamalive_time", MembershipColumns.ToStoredTime(entry.IAmAliveTime));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default)
    {
        await using var command = database.Command(PostgresSql.CleanupDefunctSiloEntries);
        command.Parameters.With("before", beforeDate.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteClusterAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = database.Command(PostgresSql.DeleteMembershipCluster, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Orleans' write pattern: bump the version row from <c>newVersion - 1</c> to <c>newVersion</c>, write the
    /// row, and commit both or neither.
    /// </summary>
    private async Task<bool> WriteVersionedAsync(
        TableVersion newVersion,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> writeRow,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newVersion);
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var bump = database.Command(PostgresSql.BumpMembershipVersion, connection, transaction))
        {
            bump.Parameters.With("version", newVersion.Version);
            if (await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }
        if (!await writeRow(connection, transaction).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void BindKey(NpgsqlParameterCollection parameters, SiloAddress silo) =>
        parameters.With("address", silo.Host).With("port", silo.Port).With("generation", silo.Generation);

    private static void BindRow(NpgsqlParameterCollection parameters, MembershipEntry entry)
    {
        BindKey(parameters, entry.SiloAddress);
        parameters
            .With("silo_name", entry.SiloName)
            .With("host_name", entry.HostName)
            .With("status", (int)entry.Status)
            .With("proxy_port", entry.GatewayPort)
            .WithNullableText("suspect_times", MembershipColumns.FormatSuspectTimes(entry.SuspectTimes))
            .WithNullableText("metadata_json", MembershipColumns.FormatMetadata(entry.Metadata))
            .With("start_time", MembershipColumns.ToStoredTime(entry.StartTime))
            .With("iamalive_time", MembershipColumns.ToStoredTime(entry.IAmAliveTime));
    }
}
