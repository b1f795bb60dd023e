namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>
/// The shared test PostgreSQL (<c>bash scripts/postgres.sh start</c>; scripts/test.sh starts it) that in-process clusters
/// of several silos run on, each under a cluster id of its own: Orleans' rows and our documents are keyed by it, so
/// tests (and engineers) sharing the server never see each other.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "CONFERENCECLUSTER_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} is not set: `bash scripts/postgres.sh start`, then export {Variable}=\"$(bash scripts/postgres.sh url)\"");

    /// <summary>A cluster id nobody else uses: the test's name for it and a random suffix.</summary>
    public static string NewClusterId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
}
