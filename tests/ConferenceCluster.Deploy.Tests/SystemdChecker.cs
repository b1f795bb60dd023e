using System.Text;
using System.Text.RegularExpressions;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>Checks deploy/systemd/: the silo unit, its per-location drop-ins and the environment file template.</summary>
public static partial class SystemdChecker
{
    public static List<string> Check(string unit, IEnumerable<(string File, string Text)> dropIns, string environmentFile)
    {
        var problems = new List<string>();
        var service = Section(unit, "Service");
        void Require(string key, Func<string, bool> ok, string expected)
        {
            var values = service.Where(kv => kv.Key == key).Select(kv => kv.Value).ToList();
            if (!values.Any(ok))
                problems.Add($"conferencecluster-silo.service: {key} must be {expected} (is {(values.Count == 0 ? "unset" : string.Join(", ", values))})");
        }
        Require("Restart", v => v == "on-failure", "on-failure (exit 1: declared dead or failed start)");
        Require("RestartPreventExitStatus", v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("2"), "a list containing 2 (invalid configuration)");
        Require("KillSignal", v => v is "SIGTERM" or "TERM", "SIGTERM (graceful leave)");
        Require("TimeoutStopSec", v => v.Length > 0, "set");
        Require("EnvironmentFile", v => v.Length > 0, "set");
        Require("User", v => v.Length > 0 && v != "root", "a dedicated user");
        Require("ExecStart", v => v.Contains("ConferenceCluster.Silo", StringComparison.Ordinal), "the published silo");
        Require("ExecStartPre", v => v.Contains("ConferenceCluster.Silo", StringComparison.Ordinal) && v.EndsWith(" --migrate", StringComparison.Ordinal),
            "the published silo with --migrate (the cluster schema first)");

        var unitEnv = Assignments(service);
        SiloEnvironment.CheckKeys("conferencecluster-silo.service", unitEnv.Keys, problems);

        var fileEnv = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var line in Lines(environmentFile))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) problems.Add($"silo.env.example: cannot read '{line}'");
            else fileEnv[line[..eq]] = new EnvValue(line[(eq + 1)..]);
        }
        SiloEnvironment.CheckKeys("silo.env.example", fileEnv.Keys, problems);

        var any = false;
        foreach (var (file, text) in dropIns)
        {
            any = true;
            var env = Assignments(Section(text, "Service"));
            SiloEnvironment.CheckKeys(file, env.Keys, problems);
            var location = LocationFile().Match(file) is { Success: true } m ? m.Groups[1].Value : null;
            if (location is null)
                problems.Add($"{file}: name it location-<location>.conf");
            else if (SiloEnvironment.Value(env, "Silo__Location") != location)
                problems.Add($"{file}: must set Silo__Location={location} (sets '{SiloEnvironment.Value(env, "Silo__Location") ?? "nothing"}')");
            // systemd lets EnvironmentFile= win over Environment=, so a key in both would silently come from the file.
            foreach (var clash in env.Keys.Where(k => SiloEnvironment.Get(fileEnv, k) is not null))
                problems.Add($"{file}: {clash} is also in the environment file, which would win over the drop-in");

            var merged = new Dictionary<string, EnvValue>(fileEnv, StringComparer.Ordinal);
            foreach (var (k, v) in unitEnv.Concat(env)) merged[k] = v;
            // Silo:Name defaults to the machine name, which is what a one-silo-per-machine unit wants.
            SiloEnvironment.Check($"{file} with silo.env.example", merged, problems, requireName: false);
        }
        if (!any)
            problems.Add("conferencecluster-silo.service.d: no location drop-ins");
        return problems;
    }

    private static List<KeyValuePair<string, string>> Section(string text, string name)
    {
        var result = new List<KeyValuePair<string, string>>();
        string? section = null;
        foreach (var line in Lines(text))
        {
            if (line.StartsWith('[') && line.EndsWith(']')) { section = line[1..^1]; continue; }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section == name && eq > 0)
                result.Add(new(line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
        return result;
    }

    /// <summary>The variables of <c>Environment=</c> lines: <c>A=1 "B=two words"</c>.</summary>
    private static Dictionary<string, EnvValue> Assignments(List<KeyValuePair<string, string>> section)
    {
        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var value in section.Where(kv => kv.Key == "Environment").Select(kv => kv.Value))
        {
            foreach (var word in Words(value))
            {
                var eq = word.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0) env[word[..eq]] = new EnvValue(word[(eq + 1)..]);
            }
        }
        return env;
    }

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        char? quote = null;
        foreach (var c in text)
        {
            if (quote is null && c is '"' or '\'') quote = c;
            else if (c == quote) quote = null;
            else if (quote is null && char.IsWhiteSpace(c))
            {
                if (word.Length > 0) yield return word.ToString();
                word.Clear();
            }
            else word.Append(c);
        }
        if (word.Length > 0) yield return word.ToString();
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith(';'));

    [GeneratedRegex(@"location-([A-Za-z0-9._-]+)\.conf$")]
    private static partial Regex LocationFile();
}
