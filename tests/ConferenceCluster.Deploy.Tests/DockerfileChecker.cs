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
        if (!final.Any(i => i.Keyword == "HEALTHCHECK" && i.Arguments.Contains("${Silo__Ports__Http}/health", StringComparison.Ordinal)))
            problems.Add("Dockerfile: HEALTHCHECK must ask ${Silo__Ports__Http}/health");
        return problems;
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
