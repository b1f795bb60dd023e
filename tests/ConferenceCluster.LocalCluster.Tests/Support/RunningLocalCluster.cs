using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.LocalCluster.Tests.Support;

/// <summary>
/// deploy/local-cluster.sh driven as an operator would: <c>start --detach</c>, <c>add-silo</c>, <c>remove-silo</c>,
/// <c>stop</c>. Ports and passwords are read back from what the script rendered into its data directory.
/// </summary>
internal sealed partial class RunningLocalCluster : IAsyncDisposable
{
    /// <summary>Shifts every port of the compose topology, so a developer's own local cluster may run alongside.</summary>
    public const int PortOffset = 1000;

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    private RunningLocalCluster(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }

    /// <summary>The Kamailio front door of a location: its SIP port on 127.0.0.1.</summary>
    public int FrontDoorSipPort(string location)
    {
        var config = File.ReadAllText(Path.Combine(DataDirectory, $"kamailio-{location}", "kamailio.cfg"));
        return int.Parse(ListenPort().Match(config).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public IReadOnlyDictionary<string, string> Environment(string silo) =>
        File.ReadAllLines(Path.Combine(DataDirectory, silo, "environment"))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public int HttpPort(string silo) => int.Parse(Environment(silo)["Silo__Ports__Http"], CultureInfo.InvariantCulture);

    public int SipPort(string silo) => int.Parse(Environment(silo)["Silo__Ports__Sip"], CultureInfo.InvariantCulture);

    public string SiloLog(string silo) => ReadShared(Path.Combine(DataDirectory, silo, "silo.log"));

    public string KamailioLog(string location) => ReadShared(Path.Combine(DataDirectory, $"kamailio-{location}", "kamailio.log"));

    /// <summary>Starts the cluster (<c>--only</c> some services, <c>--env</c> overrides) and returns once every process is up.</summary>
    public static async Task<RunningLocalCluster> StartAsync(IEnumerable<string>? only = null, IEnumerable<string>? overrides = null)
    {
        var cluster = new RunningLocalCluster(Path.Combine(Path.GetTempPath(), "cc-local-" + Guid.NewGuid().ToString("N")[..10]));
        var arguments = new List<string> { "start", "--detach", "--no-build", "--configuration", BuildConfiguration, "--data-dir", cluster.DataDirectory,
            "--port-offset", PortOffset.ToString(CultureInfo.InvariantCulture) };
        if (only is not null) arguments.AddRange(["--only", string.Join(',', only)]);
        foreach (var value in overrides ?? []) arguments.AddRange(["--env", value]);
        var result = await cluster.ScriptAsync(arguments);
        if (result.ExitCode != 0)
        {
            var diagnostics = result.Describe() + cluster.AllLogs();
            await cluster.DisposeAsync();
            Assert.Fail("deploy/local-cluster.sh did not start:\n" + diagnostics);
        }
        return cluster;
    }

    public Task<ToolResult> ScriptAsync(IEnumerable<string> arguments) =>
        ExternalTool.RunAsync("bash", [Path.Combine(RepositoryRoot, "deploy", "local-cluster.sh"), .. arguments], RepositoryRoot, ScriptTimeout);

    public Task<ToolResult> AddSiloAsync(string name, string location) =>
        ScriptAsync(["add-silo", name, "--location", location, "--data-dir", DataDirectory]);

    /// <summary>Scale-in: the script takes the silo out of its dispatcher list, SIGTERMs it and waits until it has left.</summary>
    public Task<ToolResult> RemoveSiloAsync(string name) => ScriptAsync(["remove-silo", name, "--data-dir", DataDirectory]);

    /// <summary>SIGKILL, as a crash or an OOM kill: the silo gets no chance to leave.</summary>
    public void Kill(string silo) => Signals.Send(Pid(silo), Signals.Kill);

    /// <summary>The pid the script recorded for one of its processes (a silo or a Kamailio, each the leader of its own session).</summary>
    public int Pid(string service) => int.Parse(File.ReadAllText(Path.Combine(DataDirectory, service, "pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Kamailio's view of a location's silos (kamcmd dispatcher.list): destination URI -> flags (AP active, IP inactive).</summary>
    public async Task<IReadOnlyDictionary<string, string>> DispatcherFlagsAsync(string location)
    {
        var socket = Path.Combine(DataDirectory, $"kamailio-{location}", "kamailio.ctl");
        var result = await ExternalTool.RunAsync(Kamcmd, ["-s", "unix:" + socket, "dispatcher.list"], DataDirectory, TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, "kamcmd dispatcher.list failed: " + result.Describe());
        return DispatcherEntry().Matches(result.StandardOutput).ToDictionary(m => m.Groups["uri"].Value, m => m.Groups["flags"].Value);
    }

    /// <summary>A management API client of one silo (Basic auth with the cluster's admin password).</summary>
    public ClusterApi Api(string silo)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort(silo)}"), Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Environment(silo)["Admin__Password"]}")));
        return new ClusterApi(http);
    }

    public string AllLogs()
    {
        if (!Directory.Exists(DataDirectory)) return "";
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(DataDirectory, "*.log", SearchOption.AllDirectories).Where(f => !f.Contains("/postgres/", StringComparison.Ordinal)).Order())
        {
            var content = ReadShared(file);
            text.Append("\n--- ").Append(Path.GetRelativePath(DataDirectory, file)).Append('\n')
                .Append(content.Length <= 3000 ? content : "…" + content[^3000..]);
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await ScriptAsync(["stop", "--data-dir", DataDirectory]);
        ExternalTool.DeleteOnSuccess(DataDirectory);
    }

    private static string ReadShared(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Debian installs kamcmd in /usr/sbin, which a non-root PATH may lack.</summary>
    private static string Kamcmd => File.Exists("/usr/sbin/kamcmd") ? "/usr/sbin/kamcmd" : ExternalTool.Require("kamcmd", "kamailio");

    public static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "deploy", "local-cluster.sh")))
                    return directory.FullName;
            }
            throw new DirectoryNotFoundException("no deploy/local-cluster.sh above " + AppContext.BaseDirectory);
        }
    }

    [GeneratedRegex(@"^listen=udp:127\.0\.0\.1:(\d+)", RegexOptions.Multiline)]
    private static partial Regex ListenPort();

    [GeneratedRegex(@"URI: (?<uri>\S+)\s+FLAGS: (?<flags>\S+)")]
    private static partial Regex DispatcherEntry();
}

/// <summary>The parts of the management API these tests read and drive.</summary>
internal sealed class ClusterApi(HttpClient http) : IDisposable
{
    public sealed record Participant(string Id, string Conference, string Node, string MediaNode);

    public async Task CreateRoomAsync(string name)
    {
        var response = await http.PostAsJsonAsync("/api/admin/configuration/v1/conference/", new { name, aliases = new[] { new { alias = name } } });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating VMR {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<IReadOnlyList<Participant>> ParticipantsAsync(string conference) =>
        (await ObjectsAsync($"/api/admin/status/v1/participant/?conference={Uri.EscapeDataString(conference)}&limit=0"))
        .Select(p => new Participant(p.GetProperty("id").GetString()!, p.GetProperty("conference").GetString()!,
            p.GetProperty("node").GetString()!, p.GetProperty("media_node").GetString() ?? "")).ToList();

    /// <summary>RTP packets the call's media node has received from the caller (0 while none, or when the call is gone).</summary>
    public async Task<long> RxPacketsAsync(string participantId)
    {
        var response = await http.GetAsync($"/api/admin/status/v1/participant/{Uri.EscapeDataString(participantId)}/");
        if (!response.IsSuccessStatusCode) return 0;
        var participant = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return participant.TryGetProperty("rx_packets", out var packets) && packets.ValueKind == JsonValueKind.Number ? packets.GetInt64() : 0;
    }

    /// <summary>The active silos the cluster reports, by name.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> WorkerVmsAsync() =>
        (await ObjectsAsync("/api/admin/status/v1/worker_vm/?limit=0")).ToDictionary(o => o.GetProperty("name").GetString()!, o => o, StringComparer.Ordinal);

    public async Task DisconnectAsync(string participantId)
    {
        var response = await http.PostAsJsonAsync("/api/admin/command/v1/participant/disconnect/", new { participant_id = participantId });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"disconnecting {participantId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The load balancer's view (<c>/api/client/v2/status</c>, no auth): its status code and body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ClientStatusAsync()
    {
        var response = await http.GetAsync("/api/client/v2/status");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<List<JsonElement>> ObjectsAsync(string path)
    {
        var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("objects").EnumerateArray().Select(o => o.Clone()).ToList();
    }

    public void Dispose() => http.Dispose();
}
