using System.Security.Cryptography;

namespace ConferenceCluster.Storage.Schema;

/// <summary>One SQL file of Sql/, embedded in the assembly byte for byte.</summary>
/// <param name="Name">Its path under Sql/, for example <c>OrleansProviders/PostgreSQL-Membership.sql</c>: the name recorded in the version table.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of its bytes, as <c>sha256sum</c> prints it.</param>
internal sealed record SchemaScript(string Name, string Sql, string Sha256);

/// <summary>Reads the SQL files and the manifests (Sql/*.manifest: which scripts, in which order) embedded in the assembly.</summary>
internal static class EmbeddedSql
{
    public const string PostgresManifest = "PostgreSQL.manifest";
    public const string SqliteManifest = "Sqlite.manifest";

    public static string Read(string name) => System.Text.Encoding.UTF8.GetString(ReadBytes(name));

    /// <summary>The scripts a manifest lists, in its order (one path under Sql/ per line; # starts a comment).</summary>
    public static IReadOnlyList<SchemaScript> Manifest(string manifest)
    {
        var scripts = new List<SchemaScript>();
        foreach (var rawLine in Read(manifest).Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is not [var name])
                throw new InvalidDataException($"{manifest}: expected one script per line, got \"{line}\".");
            var bytes = ReadBytes(name);
            scripts.Add(new SchemaScript(name, System.Text.Encoding.UTF8.GetString(bytes), Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }
        return scripts;
    }

    private static byte[] ReadBytes(string name)
    {
        using var stream = typeof(EmbeddedSql).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"SQL resource {name} is not embedded in {typeof(EmbeddedSql).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
