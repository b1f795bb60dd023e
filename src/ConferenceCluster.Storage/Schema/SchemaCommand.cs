using ConferenceCluster.Storage.Documents;
using Npgsql;

namespace ConferenceCluster.Storage.Schema;

/// <summary>
/// The schema as a command, for a silo's <c>--migrate</c> or a deployment step that runs before any silo:
/// <c>--storage postgres|sqlite|memory --connection-string "..."</c> (the values of <c>Cluster:Storage</c> and
/// <c>Cluster:ConnectionString</c>). Prints one line per script; exit code 0 applied or nothing to do, 1 the database
/// refused or could not be reached (nothing was changed: the apply is one transaction), 2 bad arguments.
/// </summary>
public static class SchemaCommand
{
    public const string Usage = "usage: --storage postgres|sqlite|memory [--connection-string \"<Cluster:ConnectionString>\"]";

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryParse(args, out var kind, out var connectionString, out var problem))
        {
            error.WriteLine($"schema: {problem}");
            error.WriteLine($"schema: {Usage}");
            return Task.FromResult(2);
        }
        return RunAsync(kind, connectionString, output, error, cancellationToken);
    }

    /// <summary>Applies the schema of <paramref name="kind"/> (what a silo started with <c>--migrate</c> calls with its configuration).</summary>
    public static async Task<int> RunAsync(
        ClusterStorageKind kind, string? connectionString, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        SchemaApplyResult result;
        try
        {
            switch (kind)
            {
                case ClusterStorageKind.Memory:
                    output.WriteLine("schema: memory storage has no schema; nothing to apply");
                    return 0;
                case ClusterStorageKind.Sqlite:
                    output.WriteLine($"schema: SQLite file {Path.GetFullPath(ClusterDocumentStores.ResolveSqlitePath(connectionString))}");
                    result = await OrleansSqliteSchema.ApplyAsync(connectionString, cancellationToken).ConfigureAwait(false);
                    break;
                case ClusterStorageKind.Postgres when string.IsNullOrWhiteSpace(connectionString):
                    error.WriteLine("schema: PostgreSQL needs --connection-string (Cluster:ConnectionString)");
                    return 2;
                case ClusterStorageKind.Postgres:
                    output.WriteLine($"schema: PostgreSQL {Describe(connectionString!)}");
                    result = await OrleansPostgresSchema.ApplyAsync(connectionString!, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    error.WriteLine($"schema: unknown storage {kind}");
                    return 2;
            }
        }
        catch (Exception e) when (e is NpgsqlException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException
                                      or ArgumentException or TimeoutException)
        {
            error.WriteLine($"schema: not applied, nothing changed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
        foreach (var line in result.Describe())
            output.WriteLine($"schema: {line}");
        return 0;
    }

    private static bool TryParse(string[] args, out ClusterStorageKind kind, out string? connectionString, out string problem)
    {
        kind = default;
        connectionString = null;
        string? storage = null;
        for (var i = 0; i < args.Length; i++)
        {
            var argument = args[i];
            var equals = argument.IndexOf('=');
            var name = argument.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? argument[..equals] : argument;
            if (name is not ("--storage" or "--connection-string"))
            {
                problem = $"unknown argument {argument}";
                return false;
            }
            string value;
            if (name.Length < argument.Length)
                value = argument[(equals + 1)..];
            else if (i + 1 < args.Length)
                value = args[++i];
            else
            {
                problem = $"{name} needs a value";
                return false;
            }
            if (name == "--storage")
                storage = value;
            else
                connectionString = value;
        }
        if (storage is null || !Enum.TryParse(storage, ignoreCase: true, out kind) || !Enum.IsDefined(kind))
        {
            problem = storage is null ? "--storage is missing" : $"unknown storage '{storage}'";
            return false;
        }
        problem = "";
        return true;
    }

    /// <summary>Where, without the password.</summary>
    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
        }
        catch (ArgumentException)
        {
            return "(connection string not understood)";
        }
    }
}
