using System.Globalization;
using System.Text.RegularExpressions;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>One SIPp run (sip-tester) against a silo, with its message trace and statistics kept in a temp directory.</summary>
internal sealed class Sipp
{
    public static string ScenarioPath(string name) => Path.Combine(AppContext.BaseDirectory, "Scenarios", name);

    public required string WorkDirectory { get; init; }

    public required ToolResult Result { get; init; }

    public string MessageLog => ReadOrEmpty("messages.log");

    public string ErrorLog => ReadOrEmpty("errors.log");

    /// <summary>
    /// Runs <c>sipp 127.0.0.1:PORT -sf SCENARIO ...</c> bounded by <c>-timeout</c> (SIPp exits with an error
    /// when it elapses) and by a kill <paramref name="timeoutSeconds"/> + 15 s later, or earlier by <paramref name="stop"/>.
    /// </summary>
    public static async Task<Sipp> RunAsync(int sipPort, string scenario, IEnumerable<string> arguments, int timeoutSeconds, string? workDirectory = null,
        int? mediaPort = null, CancellationToken stop = default)
    {
        var sipp = ExternalTool.Require("sipp", "sip-tester");
        workDirectory ??= ExternalTool.TempDirectory("sipp");
        var localSip = ExternalTool.FreeUdpPort();
        var media = mediaPort ?? ExternalTool.FreeUdpPort(span: 4); // audio -mp and -mp+2 (video), both bound by SIPp
        var args = new List<string>
        {
            $"127.0.0.1:{sipPort}",
            "-sf", ScenarioPath(scenario),
            "-i", "127.0.0.1", "-p", localSip.ToString(CultureInfo.InvariantCulture),
            "-mi", "127.0.0.1", "-mp", media.ToString(CultureInfo.InvariantCulture),
            "-t", "u1",
            "-nostdin",
            "-timeout", $"{timeoutSeconds}s", "-timeout_error",
            "-trace_msg", "-message_file", Path.Combine(workDirectory, "messages.log"),
            "-trace_err", "-error_file", Path.Combine(workDirectory, "errors.log"),
            "-trace_stat", "-stf", Path.Combine(workDirectory, "stat.csv"),
        };
        args.AddRange(arguments);
        var result = await ExternalTool.RunAsync(sipp, args, workDirectory, TimeSpan.FromSeconds(timeoutSeconds + 15), stop);
        return new Sipp { WorkDirectory = workDirectory, Result = result };
    }

    /// <summary>The last row of SIPp's <c>-trace_stat</c> CSV (written at the end of the run), by column name.</summary>
    public IReadOnlyDictionary<string, string> FinalStatistics()
    {
        var path = Path.Combine(WorkDirectory, "stat.csv");
        var lines = File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];
        if (lines.Count < 2) return new Dictionary<string, string>();
        var names = lines[0].Split(';');
        var values = lines[^1].Split(';');
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(names.Length, values.Length); i++) row[names[i]] = values[i];
        return row;
    }

    public long Statistic(string column) =>
        FinalStatistics().TryGetValue(column, out var value) && long.TryParse(value, out var number) ? number : -1;

    /// <summary>
    /// The SIP messages SIPp received (from its <c>-trace_msg</c> log): each entry is the text after a
    /// "UDP message received [N] bytes :" banner (SIPp 3.6) up to the next banner.
    /// </summary>
    public IReadOnlyList<string> ReceivedMessages() => Messages("received");

    public IReadOnlyList<string> SentMessages() => Messages("sent");

    private IReadOnlyList<string> Messages(string direction)
    {
        var log = MessageLog;
        // "UDP message sent (577 bytes):" and "UDP message received [234] bytes :" after a dashed time stamp line.
        var banner = new Regex(@"^-+ [^\n]*\n(?:UDP|TCP) message (sent|received) (?:\[\d+\] bytes :|\(\d+ bytes\):)\n", RegexOptions.Multiline);
        var matches = banner.Matches(log);
        var list = new List<string>();
        for (var i = 0; i < matches.Count; i++)
        {
            if (matches[i].Groups[1].Value != direction) continue;
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : log.Length;
            list.Add(log[start..end].Trim('\n', '\r', ' '));
        }
        return list;
    }

    public string Describe() => $"SIPp {Result.Describe()}\n--- errors.log\n{Tail(ErrorLog)}\n--- messages.log\n{Tail(MessageLog)}";

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];

    private string ReadOrEmpty(string name)
    {
        var path = Path.Combine(WorkDirectory, name);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }
}
