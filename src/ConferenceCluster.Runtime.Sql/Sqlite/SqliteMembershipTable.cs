using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>Orleans' membership table on SQLite: versioned optimistic writes under the write lock, blind IAmAlive.</summary>
internal sealed class SqliteMembershipTable(SqliteDatabase database) : IMembershipTable
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.InsertMembershipVersion);
            return statement.Execute();
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) =>
        database.RunAsync(connection =>
        {
            // One statement reads the version and the rows from one snapshot.
            using var statement = database.Prepare(connection, SqliteSql.ReadAllMembership);
            int? version = null;
            var rows = new List<MembershipRow>();
            while (statement.Step())
            {
                version = statement.GetInt32(0);
                if (statement.IsNull(1))
                    continue; // the outer join's row for a cluster without silos
                var entry = new MembershipEntry
                {
                    SiloAddress = new SiloAddress(statement.GetString(1)!, statement.GetInt32(2), statement.GetInt32(3)),
                    SiloName = statement.GetString(4)!,
                    HostName = statement.GetString(5)!,
                    Status = (SiloStatus)statement.GetInt32(6),
                    GatewayPort = statement.IsNull(7) ? 0 : statement.GetInt32(7),
                    SuspectTimes = MembershipColumns.ParseSuspectTimes(statement.GetString(8)),
                    Metadata = MembershipColumns.ParseMetadata(statement.GetString(9)),
                    StartTime = DateTimeOffset.FromUnixTimeMilliseconds(statement.GetInt64(10)),
                    IAmAliveTime = DateTimeOffset.FromUnixTimeMilliseconds(statement.GetInt64(11)),
                };
                rows.Add(new MembershipRow(entry, MembershipColumns.FormatETag(statement.GetInt64(12))));
            }
            if (version is not { } current)
                throw new InvalidOperationException(
                    $"The membership table of cluster '{database.ClusterId}' has no version row: call InitializeAsync first.");
            return new MembershipTableData(rows, new TableVersion(current, MembershipColumns.FormatETag(current)));
        }, cancellationToken);

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteVersionedAsync(newVersion, connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.InsertMembership);
            BindRow(statement, entry);
            return statement.Execute() == 1;
        }, cancellationToken);
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!MembershipColumns.TryParseETag(etag, out var expectedETag))
            return Task.FromResult(false);
        return WriteVersionedAsync(newVersion, connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.UpdateMembership);
            BindRow(statement, entry);
            statement.Bind("@etag", expectedETag);
            return statement.Execute() == 1;
        }, cancellationToken);
    }

    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.UpdateIAmAlive);
            BindKey(statement, entry.SiloAddress);
            statement.Bind("@iamalive_time", ToColumn(entry.IAmAliveTime));
            return statement.Execute();
        }, cancellationToken);
    }

    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default) =>
        database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.CleanupDefunctSiloEntries);
            // Rounded up to the next millisecond: stored times are truncated, so a row at t < beforeDate stays < it.
            statement.Bind("@before", (beforeDate.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond
                                      - DateTimeOffset.UnixEpoch.UtcTicks / TimeSpan.TicksPerMillisecond);
            return statement.Execute();
        }, cancellationToken);

    public Task DeleteClusterAsync(CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection =>
        {
            using (var delete = database.Prepare(connection, SqliteSql.DeleteMembershipRows))
                delete.Execute();
            using (var reset = database.Prepare(connection, SqliteSql.ResetMembershipVersion))
                reset.Execute();
            return (true, true);
        }, cancellationToken);

    /// <summary>Orleans' write pattern: bump the version from <c>newVersion - 1</c>, write the row, commit both or neither.</summary>
    private Task<bool> WriteVersionedAsync(TableVersion newVersion, Func<SqliteConnection, bool> writeRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newVersion);
        return database.WriteAsync(connection =>
        {
            using (var bump = database.Prepare(connection, SqliteSql.BumpMembershipVersion))
            {
                bump.Bind("@version", newVersion.Version);
                if (bump.Execute() != 1)
                    return (false, false);
            }
            var written = writeRow(connection);
            return (written, written);
        }, cancellationToken);
    }

    private static long ToColumn(DateTimeOffset time) => MembershipColumns.ToStoredTime(time).ToUnixTimeMilliseconds();

    private static void BindKey(SqliteStatement statement, SiloAddress silo) =>
        statement.Bind("@address", silo.Host).Bind("@port", silo.Port).Bind("@generation", silo.Generation);

    private static void BindRow(SqliteStatement statement, MembershipEntry entry)
    {
        BindKey(statement, entry.SiloAddress);
        statement
            .Bind("@silo_name", entry.SiloName)
            .Bind("@host_name", entry.HostName)
            .Bind("@status", (long)entry.Status)
            .Bind("@proxy_port", entry.GatewayPort)
            .Bind("@suspect_times", MembershipColumns.FormatSuspectTimes(entry.SuspectTimes))
            .Bind("@metadata_json", MembershipColumns.FormatMetadata(entry.Metadata))
            .Bind("@start_time", ToColumn(entry.StartTime))
            .Bind("@iamalive_time", ToColumn(entry.IAmAliveTime));
    }
}
