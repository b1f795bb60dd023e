using System.Text.RegularExpressions;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>Checks the project's Dockerfile, which every compose silo is built from: its ENV keys, EXPOSE and HEALTHCHECK.</summary>
public static partial class DockerfileChecker
{
    public static List<string> Check(string dockerfile)
    {
        var problems = new List<string>();
        var instructions = Instructions(dockerfile).ToList();
        var final = instructions.Skip(instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();

        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var (_, arguments) in final.Where(i => i.Keyword == "ENV"))
            foreach (Match m in Assignment().Matches(arguments))
                env[m.Groups[1].Value] = new EnvValue(m.Groups[2].Value);
        SiloEnvironment.CheckKeys("Dockerfile ENV", env.Keys, problems);

        var exposed = final.Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(e => e.Contains('/', StringComparison.Ordinal) ? e : e + "/tcp").ToHashSet(StringComparer.Ordinal);
        foreach (var (key, protocols) in new[] { ("Silo__Ports__Silo", "tcp"), ("Silo__Ports__Gateway", "tcp"), ("Silo__Ports__Http", "tcp"), ("Silo__Ports__Sip", "udp tcp") })
        {
            if (SiloEnvironment.Value(env, key) is not { } port)
            {
                problems.Add($"Dockerfile: ENV sets no {key}");
                continue;
            }
            foreach (var protocol in protocols.Split(' ').Where(p => !exposed.Contains($"{port}/{p}")))
                problems.Add($"Dockerfile: EXPOSE lacks {port}/{protocol} ({key})");
        }
        if (!final.Any(i => i.Keyword == "HEALTHCHECK" && i.Arguments.Contains("${Silo__Ports__Http}/health/ready", StringComparison.Ordinal)))
            problems.Add("Dockerfile: HEALTHCHECK must ask ${Silo__Ports__Http}/health/ready");
        CheckProjectsCopied(instructions, problems);
        return problems;
    }

    /// <summary>
    /// The restore layer copies the project file of every project the silo builds from (src/*/*.csproj), so a project
    /// added or removed (the old runtime's, say) cannot leave the image unbuildable.
    /// </summary>
    private static void CheckProjectsCopied(List<(string Keyword, string Arguments)> instructions, List<string> problems)
    {
        var copied = instructions.Where(i => i.Keyword == "COPY").Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])
            .Where(a => a.EndsWith(".csproj", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var projects = Directory.GetFiles(Path.Combine(DeployFiles.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(DeployFiles.Root, f).Replace(Path.DirectorySeparatorChar, '/')).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in projects.Except(copied).Order(StringComparer.Ordinal))
            problems.Add($"Dockerfile: the restore layer does not copy {missing}");
        foreach (var gone in copied.Except(projects).Order(StringComparer.Ordinal))
            problems.Add($"Dockerfile: COPY {gone}, which does not exist");
    }

    private static IEnumerable<(string Keyword, string Arguments)> Instructions(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Length == 0)) continue;
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            current += line;
            var trimmed = current.Trim();
            var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0 ? (trimmed.ToUpperInvariant(), "") : (trimmed[..space].ToUpperInvariant(), trimmed[(space + 1)..].Trim());
            current = "";
        }
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S*)")]
    private static partial Regex Assignment();
}
