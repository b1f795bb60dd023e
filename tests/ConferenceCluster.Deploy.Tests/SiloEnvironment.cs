using System.Globalization;
using System.Text.RegularExpressions;
using ConferenceCluster.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>
/// One environment variable of a silo: a literal value, or where Kubernetes takes it from (a pod field through
/// the downward API, a Secret key).
/// </summary>
public sealed record EnvValue(string? Value, string? FieldPath = null, string? SecretKey = null)
{
    public bool IsSet => !string.IsNullOrWhiteSpace(Value) || FieldPath is not null || SecretKey is not null;
}

/// <summary>The ports a silo listens on, from its Silo__Ports__* keys (defaults as docs/operations.md lists them).</summary>
public sealed record SiloPorts(int Silo, int Gateway, int Http, int Sip, int MediaFirst, int MediaLast)
{
    public bool InMedia(int port) => port >= MediaFirst && port <= MediaLast;
}

/// <summary>The checks every deployment form shares: the environment of one silo against the silo's own key list.</summary>
public static partial class SiloEnvironment
{
    public static readonly string[] RequiredForCluster = ["Silo__Name", "Silo__Location", "Silo__AdvertisedAddress"];

    /// <summary>Whether a variable is meant as a silo key: <c>Cluster__</c>, <c>Silo__</c>, <c>Admin__</c>, <c>Demo__</c>.</summary>
    public static bool IsKeyForm(string name) => KeyFormPattern().IsMatch(name);

    public static bool IsKnownKey(string name)
    {
        var key = name.Replace("__", ":", StringComparison.Ordinal);
        return SiloHostConfiguration.Keys.Contains(key, StringComparer.OrdinalIgnoreCase) || GrainAssemblyPattern().IsMatch(key);
    }

    public static void CheckKeys(string source, IEnumerable<string> names, List<string> problems)
    {
        foreach (var name in names.Where(IsKeyForm).Where(n => !IsKnownKey(n)))
            problems.Add($"{source}: {name} is not a silo configuration key ({name.Replace("__", ":", StringComparison.Ordinal)} is not in SiloHostConfiguration.Keys)");
    }

    /// <summary>Known keys, PostgreSQL storage with a connection string, and the per-silo keys a cluster needs.</summary>
    public static SiloPorts? Check(string source, IReadOnlyDictionary<string, EnvValue> env, List<string> problems, bool requireName = true)
    {
        CheckKeys(source, env.Keys, problems);
        var storage = Value(env, "Cluster__Storage");
        if (!string.Equals(storage, "postgres", StringComparison.OrdinalIgnoreCase))
            problems.Add($"{source}: Cluster__Storage must be postgres for a cluster of machines (is '{storage ?? "unset"}')");
        if (!(Get(env, "Cluster__ConnectionString")?.IsSet ?? false))
            problems.Add($"{source}: Cluster__ConnectionString is required with postgres");
        foreach (var key in RequiredForCluster.Where(k => requireName || k != "Silo__Name"))
        {
            if (!(Get(env, key)?.IsSet ?? false))
                problems.Add($"{source}: {key} must be set on every silo of a cluster");
        }
        if (Value(env, "Silo__Role") is { } role && role is not ("transcoding" or "proxying"))
            problems.Add($"{source}: Silo__Role must be transcoding or proxying (is '{role}')");
        LoadLikeTheSilo(source, env, problems);
        return Ports(source, env, problems);
    }

    /// <summary>
    /// Hands the environment to <see cref="SiloHostConfiguration.Load"/> as the silo would read it, so every value
    /// the silo refuses is reported. Values known only at deploy time stand in as placeholders: a pod field
    /// (metadata.name, status.podIP), a Secret, a compose <c>${VARIABLE}</c>.
    /// </summary>
    private static void LoadLikeTheSilo(string source, IReadOnlyDictionary<string, EnvValue> env, List<string> problems)
    {
        var values = env.Where(e => IsKeyForm(e.Key) && IsKnownKey(e.Key)).Select(e => new KeyValuePair<string, string?>(
            e.Key.Replace("__", ":", StringComparison.Ordinal),
            e.Value.FieldPath switch
            {
                "status.podIP" => "10.0.0.1",
                "metadata.name" => "pod-0",
                not null => "field",
                null when e.Value.SecretKey is not null => "secret",
                _ => Interpolation().Replace(e.Value.Value ?? "", "placeholder"),
            }));
        try
        {
            SiloHostConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        }
        catch (SiloConfigurationException e)
        {
            problems.AddRange(e.Errors.Select(error => $"{source}: the silo refuses this configuration: {error}"));
        }
    }

    /// <summary>
    /// The schema step's environment (<c>--migrate</c>): known keys, PostgreSQL with a connection string, a configuration
    /// the silo accepts (it validates it before applying the schema); no per-silo keys needed.
    /// </summary>
    public static void CheckMigration(string source, IReadOnlyDictionary<string, EnvValue> env, List<string> problems)
    {
        CheckKeys(source, env.Keys, problems);
        var storage = Value(env, "Cluster__Storage");
        if (!string.Equals(storage, "postgres", StringComparison.OrdinalIgnoreCase))
            problems.Add($"{source}: Cluster__Storage must be postgres for the schema step (is '{storage ?? "unset"}')");
        if (!(Get(env, "Cluster__ConnectionString")?.IsSet ?? false))
            problems.Add($"{source}: Cluster__ConnectionString is required for the schema step");
        LoadLikeTheSilo(source, env, problems);
    }

    public static EnvValue? Get(IReadOnlyDictionary<string, EnvValue> env, string name) =>
        env.FirstOrDefault(e => string.Equals(e.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static string? Value(IReadOnlyDictionary<string, EnvValue> env, string name) => Get(env, name)?.Value;

    private static SiloPorts? Ports(string source, IReadOnlyDictionary<string, EnvValue> env, List<string> problems)
    {
        int Port(string key, int fallback)
        {
            var raw = Value(env, key);
            if (raw is null) return fallback;
            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535) return port;
            problems.Add($"{source}: {key} must be a fixed port number (is '{raw}')");
            return -1;
        }
        var ports = (Silo: Port("Silo__Ports__Silo", 11111), Gateway: Port("Silo__Ports__Gateway", 30000),
            Http: Port("Silo__Ports__Http", 8080), Sip: Port("Silo__Ports__Sip", 5060));
        var range = Value(env, "Silo__Ports__MediaRange") ?? "40000-49999";
        if (ParseRange(range) is not { } media || media.First < 1024 || media.Last > 65535 || media.First >= media.Last)
        {
            problems.Add($"{source}: Silo__Ports__MediaRange must be first-last (is '{range}')");
            return null;
        }
        return ports.Silo < 0 || ports.Gateway < 0 || ports.Http < 0 || ports.Sip < 0
            ? null
            : new SiloPorts(ports.Silo, ports.Gateway, ports.Http, ports.Sip, media.First, media.Last);
    }

    /// <summary><c>5060</c> or <c>40000-40999</c>.</summary>
    public static (int First, int Last)? ParseRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length is < 1 or > 2) return null;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return null;
        if (parts.Length == 1) return (first, first);
        return int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? (first, last) : null;
    }

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex("^(Cluster|Silo|Admin|Demo)__", RegexOptions.IgnoreCase)]
    private static partial Regex KeyFormPattern();

    [GeneratedRegex(@"^Silo:GrainAssemblies:\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex GrainAssemblyPattern();
}
