using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Silo.Tests;

/// <summary>The real executable, as an operator runs it: exit codes, stderr and SIGTERM.</summary>
public partial class SiloProcessTests
{
    private const int SigTerm = 15;

    [Fact]
    public async Task Sigterm_leaves_the_cluster_gracefully_and_exits_zero()
    {
        using var silo = SiloProcess.Start("--Cluster:Storage=memory", "--Silo:Name=proc", "--Silo:Ports:Silo=0", "--Silo:Ports:Gateway=0", "--Silo:Ports:Http=0", "--Silo:Ports:Sip=0");
        await Eventually.TrueAsync(() => silo.HttpPort is not null || silo.Process.HasExited, "the silo to log its HTTP port");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);

        Assert.Equal(0, Kill(silo.Process.Id, SigTerm));
        await silo.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, silo.Process.ExitCode);
        AssertLeftGracefully(silo.Output);
    }

    [Fact]
    public async Task Sigterm_with_a_call_up_drains_refusing_new_calls_until_the_call_ends_then_exits_zero()
    {
        using var silo = SiloProcess.Start("--Cluster:Storage=memory", "--Silo:Name=drain", "--Silo:Ports:Silo=0", "--Silo:Ports:Gateway=0",
            "--Silo:Ports:Http=0", "--Silo:Ports:Sip=0", "--Silo:Ports:MediaRange=46000-46999", "--Silo:Capacity:AudioCalls=500",
            "--Demo:Enabled=true", "--Silo:DrainTimeout=00:05:00");
        await Eventually.TrueAsync(() => (silo.HttpPort is not null && silo.SipPort is not null) || silo.Process.HasExited, "the silo to log its HTTP and SIP ports");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}") };
        await Eventually.TrueAsync(async () => (await http.GetAsync("/api/client/v2/status")).StatusCode == HttpStatusCode.OK, "the node to take calls");

        var answer = TimeSpan.FromSeconds(10);
        var offer = RawSipClient.AudioOffer(30060, "8 101", "8 PCMA/8000", "101 telephone-event/8000");
        using var existing = new RawSipClient(silo.SipPort!.Value);
        var invite = existing.Invite("demo", Guid.NewGuid().ToString("N"), offer);
        var ok = await existing.RequestAsync(invite, answer);
        Assert.True(ok is not null && SipText.StatusCode(ok) == 200, ok + "\n--- silo\n" + silo.Output);
        await existing.AckAsync(invite, ok);

        Assert.Equal(0, Kill(silo.Process.Id, SigTerm));
        await Eventually.TrueAsync(async () => (await http.GetAsync("/api/client/v2/status")).StatusCode == HttpStatusCode.ServiceUnavailable,
            "the status to say 503 while draining");
        using (var caller = new RawSipClient(silo.SipPort.Value))
        {
            var refusedInvite = caller.Invite("demo", Guid.NewGuid().ToString("N"), offer);
            var refused = await caller.RequestAsync(refusedInvite, answer);
            Assert.NotNull(refused);
            Assert.Equal(503, SipText.StatusCode(refused));
            Assert.NotNull(SipText.Header(refused, "Retry-After"));
            await caller.AckAsync(refusedInvite, refused);
        }
        Assert.False(silo.Process.HasExited, silo.Output);

        Assert.Equal(200, SipText.StatusCode(await existing.ByeAsync(invite, ok, answer) ?? ""));
        await silo.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, silo.Process.ExitCode);
        Assert.Contains("Drained: no calls left", silo.Output);
        AssertLeftGracefully(silo.Output);
    }

    [Fact]
    public async Task A_second_sigterm_cuts_the_drain_short_and_the_node_still_leaves_gracefully()
    {
        using var silo = SiloProcess.Start("--Cluster:Storage=memory", "--Silo:Name=drain2", "--Silo:Ports:Silo=0", "--Silo:Ports:Gateway=0",
            "--Silo:Ports:Http=0", "--Silo:Ports:Sip=0", "--Silo:Ports:MediaRange=47000-47999", "--Silo:Capacity:AudioCalls=500",
            "--Demo:Enabled=true", "--Silo:DrainTimeout=01:00:00");
        await Eventually.TrueAsync(() => (silo.HttpPort is not null && silo.SipPort is not null) || silo.Process.HasExited, "the silo to log its HTTP and SIP ports");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}") };
        await Eventually.TrueAsync(async () => (await http.GetAsync("/api/client/v2/status")).StatusCode == HttpStatusCode.OK, "the node to take calls");

        using var existing = new RawSipClient(silo.SipPort!.Value);
        var invite = existing.Invite("demo", Guid.NewGuid().ToString("N"), RawSipClient.AudioOffer(30070, "8 101", "8 PCMA/8000", "101 telephone-event/8000"));
        var ok = await existing.RequestAsync(invite, TimeSpan.FromSeconds(10));
        Assert.True(ok is not null && SipText.StatusCode(ok) == 200, ok + "\n--- silo\n" + silo.Output);
        await existing.AckAsync(invite, ok);

        Assert.Equal(0, Kill(silo.Process.Id, SigTerm));
        // Logged once the drain listens for the next signal.
        await Eventually.TrueAsync(() => silo.Output.Contains("Draining before stop") || silo.Process.HasExited, "the drain to start");
        Assert.False(silo.Process.HasExited, silo.Output);

        Assert.Equal(0, Kill(silo.Process.Id, SigTerm));
        await silo.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, silo.Process.ExitCode);
        Assert.Contains("signalled again", silo.Output);
        AssertLeftGracefully(silo.Output);
    }

    [Fact]
    public async Task An_invalid_configuration_exits_with_code_2_naming_the_key_on_stderr()
    {
        using var silo = SiloProcess.Start("--Silo:Role=mixing", "--Silo:Ports:Http=99999");
        await silo.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(SiloHost.ExitConfigurationError, silo.Process.ExitCode);
        Assert.Contains("Silo:Role must be one of transcoding, proxying", silo.Errors);
        Assert.Contains("Silo:Ports:Http must be a port number", silo.Errors);
    }

    /// <summary>
    /// Orleans' membership agent (at Debug, see <see cref="SiloProcess.Start"/>) took the graceful path: ShuttingDown
    /// ("-Shutdown"), never a stop without a leave ("-Stop"), then Dead.
    /// </summary>
    private static void AssertLeftGracefully(string output)
    {
        Assert.Matches(AgentLine("-Shutdown"), output);
        Assert.DoesNotMatch(AgentLine("-Stop"), output);
        Assert.Matches(AgentLine("Updating status to Dead"), output);
    }

    private static Regex AgentLine(string message) => new($@"MembershipAgent\[\d+\]\s+{Regex.Escape(message)}\s*$", RegexOptions.Multiline);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private sealed partial class SiloProcess : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _errors = new();

        private SiloProcess(Process process) => Process = process;

        public Process Process { get; }
        public int? HttpPort { get; private set; }
        public int? SipPort { get; private set; }
        public string Output { get { lock (_output) return _output.ToString(); } }
        public string Errors { get { lock (_errors) return _errors.ToString(); } }

        public static SiloProcess Start(params string[] args)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConferenceCluster.Silo.dll"));
            foreach (var arg in args)
                info.ArgumentList.Add(arg);
            // How the silo leaves the cluster shows in Orleans' membership agent's own log lines.
            info.ArgumentList.Add("--Logging:LogLevel:Orleans.Runtime.MembershipService.MembershipAgent=Debug");
            var silo = new SiloProcess(new Process { StartInfo = info });
            silo.Process.OutputDataReceived += (_, e) => silo.OnOutput(e.Data);
            silo.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (silo._errors) silo._errors.AppendLine(e.Data); };
            silo.Process.Start();
            silo.Process.BeginOutputReadLine();
            silo.Process.BeginErrorReadLine();
            return silo;
        }

        private void OnOutput(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
            if (HttpPortLine().Match(line) is { Success: true } match)
                HttpPort = int.Parse(match.Groups[1].Value);
            if (SipPortLine().Match(line) is { Success: true } sip)
                SipPort = int.Parse(sip.Groups[1].Value);
        }

        public void Dispose()
        {
            if (!Process.HasExited)
                Process.Kill();
            Process.Dispose();
        }

        [GeneratedRegex(@"serves HTTP on port (\d+)")]
        private static partial Regex HttpPortLine();

        [GeneratedRegex(@"SIP gateway of \S+ listens on port (\d+)")]
        private static partial Regex SipPortLine();
    }
}
