using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConferenceCluster.Sip.Tests.Sipp;

/// <summary>What one SIPp run left behind: its exit code, its statistics and its screens.</summary>
public sealed record SippResult(int ExitCode, int SuccessfulCalls, int FailedCalls, string Output, string Screen, string Errors)
{
    public string Describe() =>
        $"sipp exited with {ExitCode} (0 = every call succeeded); successful {SuccessfulCalls}, failed {FailedCalls}\n" +
        $"--- screen ---\n{Screen}\n--- errors ---\n{Errors}\n--- output ---\n{Output}";
}

/// <summary>
/// Runs the real SIPp (Debian package sip-tester) as a process, bounded twice: SIPp's own -timeout,
/// and a kill of the process tree if it outlives that.
/// </summary>
public static class SippRunner
{
    public static string FindSipp()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "sipp");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail("sipp is not on PATH. Install SIPp with `apt-get install -y sip-tester` (scripts/test.sh does this); the SIP interop tests need it.");
        return null!;
    }

    /// <summary>An even UDP port with the next-but-one free too: SIPp binds its RTP echo there and at +2 (video).</summary>
    public static int FreeMediaPort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            int port;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port & ~1;
            }
            if (port < 1024 || port > 65000) continue;
            if (CanBind(port) && CanBind(port + 1) && CanBind(port + 2) && CanBind(port + 3)) return port;
        }
        throw new InvalidOperationException("No free UDP port pair for SIPp's media.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <param name="scenario">"-sn uac" style built-in name, or a path to an XML scenario.</param>
    public static async Task<SippResult> RunAsync(int targetPort, string scenario, string extraArguments, TimeSpan timeout)
    {
        var sipp = FindSipp();
        var workDir = Directory.CreateTempSubdirectory("sipp-");
        try
        {
            var stats = Path.Combine(workDir.FullName, "stats.csv");
            var screen = Path.Combine(workDir.FullName, "screen.log");
            var errors = Path.Combine(workDir.FullName, "errors.log");
            var scenarioArgument = File.Exists(scenario) ? $"-sf \"{scenario}\"" : $"-sn {scenario}";
            var seconds = ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            var arguments =
                $"127.0.0.1:{targetPort} {scenarioArgument} -s meet.alice -i 127.0.0.1 -mp {FreeMediaPort()} -nostdin " +
                $"-timeout {seconds}s -timeout_error -trace_stat -stf \"{stats}\" -trace_screen -screen_file \"{screen}\" " +
                $"-trace_err -error_file \"{errors}\" {extraArguments}";

            using var process = new Process
            {
                StartInfo = new ProcessStartInfo(sipp, arguments)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    RedirectStandardInput = true,
                    UseShellExecute = false,
                    WorkingDirectory = workDir.FullName,
                },
            };
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // SIPp's -timeout ends it; this is the backstop if SIPp itself hangs.
            using var kill = new CancellationTokenSource(timeout + TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(kill.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                Assert.Fail($"sipp did not exit within {timeout + TimeSpan.FromSeconds(30)} and was killed.\n{output}");
            }

            var (successful, failed) = ReadCallCounters(stats);
            string text;
            lock (output) text = output.ToString();
            return new SippResult(process.ExitCode, successful, failed, Tail(text, 4000), ReadOrEmpty(screen), Tail(ReadOrEmpty(errors), 4000));
        }
        finally
        {
            try
            {
                workDir.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The cumulative SuccessfulCall(C) and FailedCall(C) columns of the last -trace_stat row.</summary>
    private static (int Successful, int Failed) ReadCallCounters(string statsFile)
    {
        if (!File.Exists(statsFile)) return (-1, -1);
        var lines = File.ReadAllLines(statsFile).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) return (-1, -1);
        var header = lines[0].Split(';');
        var last = lines[^1].Split(';');
        int Column(string name)
        {
            var i = Array.IndexOf(header, name);
            return i >= 0 && i < last.Length && int.TryParse(last[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1;
        }
        return (Column("SuccessfulCall(C)"), Column("FailedCall(C)"));
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static string Tail(string text, int max) => text.Length <= max ? text : text[^max..];
}
