using Orleans.Hosting;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The conference grains' state and reminders on the test PostgreSQL (Orleans' ADO.NET providers), for tests where a
/// silo dies: Orleans' memory storage keeps state in grains of its own, which may die with the silo that is killed.
/// </summary>
internal static class PostgresGrainStorage
{
    private const string PostgresVariable = "CONFERENCECLUSTER_TEST_POSTGRES";

    public static string ConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{PostgresVariable} is not set: run the tests with scripts/test.sh, or `scripts/postgres.sh start` and export {PostgresVariable}=\"$(scripts/postgres.sh url)\"");

    public static void Configure(ISiloBuilder silo)
    {
        silo.AddAdoNetGrainStorage(ConferencingStorage.Grains, o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = ConnectionString;
        });
        silo.AddMemoryGrainStorage(ConferencingStorage.PubSub);
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = ConnectionString;
        });
    }
}
