using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using Npgsql;

namespace ConferenceCluster.Runtime.Sql.Postgres;

/// <summary>
/// The grain directory on PostgreSQL. The primary key (cluster, grain) is the single-activation guarantee:
/// a claim is an INSERT ... ON CONFLICT DO NOTHING, a takeover an UPDATE conditional on the exact previous
/// registration, and whoever loses reads the winner.
/// </summary>
internal sealed class PostgresGrainDirectoryStore(PostgresDatabase database) : IGrainDirectoryStore
{
    // Each pass of RegisterAsync only repeats when another caller deleted the registration between our claim
    // and our read, i.e. when the cluster made progress; a bound turns a pathological churn into an error.
    private const int MaxRegisterAttempts = 100;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => database.EnsureSchemaAsync(cancellationToken);

    public async Task<GrainAddress?> LookupAsync(GrainId grainId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await LookupAsync(connection, grainId, cancellationToken).ConfigureAwait(false);
    }

    /// <remarks>
    /// Each statement runs on its own (READ COMMITTED, autocommit): an INSERT that meets an uncommitted claim
    /// waits for it and then does nothing, a takeover that meets a concurrent takeover re-checks the row it
    /// waited for, and the final SELECT sees whatever committed. Holding them in one transaction would add
    /// nothing, because the row could still be deleted by another silo between our statements.
    /// </remarks>
    public async Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previousAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        // A previous registration of another grain can never be the current one (as in the in-memory store).
        if (previousAddress is not null && previousAddress.GrainId != address.GrainId)
            previousAddress = null;

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxRegisterAttempts; attempt++)
        {
            await using (var insert = database.Command(PostgresSql.InsertRegistration, connection))
            {
                BindRegistration(insert.Parameters, address);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    return address;
            }

            if (previousAddress is not null)
            {
                await using var takeOver = database.Command(PostgresSql.TakeOverRegistration, connection);
                BindRegistration(takeOver.Parameters, address);
                takeOver.Parameters
                    .With("previous_silo_address", previousAddress.Silo.ToString())
                    .With("previous_activation_id", previousAddress.ActivationId);
                if (await takeOver.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    return address;
            }

            if (await LookupAsync(connection, address.GrainId, cancellationToken).ConfigureAwait(false) is { } winner)
                return winner;
        }
        throw new InvalidOperationException(
            $"Could not register {address.GrainId}: its registration kept disappearing ({MaxRegisterAttempts} attempts).");
    }

    public async Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        await using var command = database.Command(PostgresSql.DeleteRegistration);
        BindRegistration(command.Parameters, address);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UnregisterSiloAsync(SiloAddress silo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await using var command = database.Command(PostgresSql.DeleteSiloRegistrations);
        command.Parameters.With("silo_address", silo.ToString());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<GrainAddress?> LookupAsync(NpgsqlConnection connection, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = database.Command(PostgresSql.LookupRegistration, connection);
        command.Parameters.With("grain_id", grainId.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new GrainAddress(grainId, SiloAddress.Parse(reader.GetString(0)), reader.GetGuid(1));
    }

    private static void BindRegistration(NpgsqlParameterCollection parameters, GrainAddress address) =>
        parameters
            .With("grain_id", address.GrainId.ToString())
            .With("silo_address", address.Silo.ToString())
            .With("activation_id", address.ActivationId);
}
