using System.Globalization;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>
/// The grain directory on SQLite. A claim (insert if absent, else take over the exact previous registration,
/// else read the winner) runs as one <c>BEGIN IMMEDIATE</c> transaction, so it is atomic across processes.
/// </summary>
internal sealed class SqliteGrainDirectoryStore(SqliteDatabase database) : IGrainDirectoryStore
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) => database.EnsureSchemaAsync(cancellationToken);

    public Task<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken = default) =>
        database.RunAsync(connection => Lookup(connection, grainId), cancellationToken);

    public Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        // A previous registration of another grain can never be the current one (as in the in-memory store).
        if (previousAddress is not null && previousAddress.GrainId != address.GrainId)
            previousAddress = null;

        return database.WriteAsync(connection =>
        {
            using (var insert = database.Prepare(connection, SqliteSql.InsertRegistration))
            {
                BindRegistration(insert, address);
                if (insert.Execute() == 1)
                    return (address, true);
            }
            if (previousAddress is not null)
            {
                using var takeOver = database.Prepare(connection, SqliteSql.TakeOverRegistration);
                BindRegistration(takeOver, address);
                takeOver.Bind("@previous_silo_address", previousAddress.Silo.ToString())
                    .Bind("@previous_activation_id", FormatActivationId(previousAddress.ActivationId));
                if (takeOver.Execute() == 1)
                    return (address, true);
            }
            // Under the write lock the insert only fails if a registration exists, so the read finds it.
            var winner = Lookup(connection, address.GrainId)
                ?? throw new InvalidOperationException($"The registration of {address.GrainId} vanished under the write lock.");
            return (winner, true);
        }, cancellationToken);
    }

    public Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.DeleteRegistration);
            BindRegistration(statement, address);
            return statement.Execute();
        }, cancellationToken);
    }

    public Task UnregisterSiloAsync(SiloAddress silo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.DeleteSiloRegistrations);
            statement.Bind("@silo_address", silo.ToString());
            return statement.Execute();
        }, cancellationToken);
    }

    private GrainAddress? Lookup(SqliteConnection connection, GrainId grainId)
    {
        using var statement = database.Prepare(connection, SqliteSql.LookupRegistration);
        statement.Bind("@grain_id", grainId.ToString());
        if (!statement.Step())
            return null;
        return new GrainAddress(grainId, SiloAddress.Parse(statement.GetString(0)!), Guid.Parse(statement.GetString(1)!));
    }

    // One canonical text form, so the takeover's and unregister's equality tests compare like with like.
    private static string FormatActivationId(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static void BindRegistration(SqliteStatement statement, GrainAddress address) =>
        statement.Bind("@grain_id", address.GrainId.ToString())
            .Bind("@silo_address", address.Silo.ToString())
            .Bind("@activation_id", FormatActivationId(address.ActivationId));
}
