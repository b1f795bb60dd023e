using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConferenceCluster.Gateway.Tests.Support;

internal sealed record ToolResult(int ExitCode, bool TimedOut, string StandardOutput, string StandardError)
{
    public string Describe() => $"exit {ExitCode}{(TimedOut ? " (killed: timed out)" : "")}\n--- stdout (tail)\n{Tail(StandardOutput)}\n--- stderr (tail)\n{Tail(StandardError)}";

    private static string Tail(string text) => text.Length <= 3000 ? text : "…" + text[^3000..];
}

/// <summary>Finds and runs the real SIP peers (SIPp, baresip); every run is bounded and killed with its children on timeout.</summary>
internal static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH; fails the test with how to install it otherwise.</summary>
    public static string Require(string name, string debianPackage)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail($"'{name}' is not on PATH. These tests drive a real {name}: install it with `apt-get install -y {debianPackage}` (scripts/test.sh does this).");
        return null!;
    }

    /// <param name="stop">Kills the tool (and its children) early: a run whose outcome no longer matters.</param>
    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        CancellationToken stop = default)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close(); // no terminal: neither tool may wait on input
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var timedOut = false;
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            cancel.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = !stop.IsCancellationRequested;
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync();
            }
        }
        process.WaitForExit(); // flushes the redirected streams
        lock (stdout) lock (stderr)
            return new ToolResult(timedOut ? -1 : process.ExitCode, timedOut, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// An even UDP port on 127.0.0.1 that is free now, with the next <paramref name="span"/> - 1 ports free too
    /// (and free for TCP as well with <paramref name="tcpToo"/>: baresip listens on UDP and TCP at sip_listen and
    /// TLS at the next port). Chosen in 20000–29999, apart from the 10000–19999 band in which silos started with port 0
    /// choose theirs (FreePorts). A port handed out once is never handed out again by this process: the probe sockets
    /// close before the tool binds, so two choices in a row (SIPp's SIP and media ports) could otherwise meet.
    /// </summary>
    public static int FreeUdpPort(int span = 1, bool tcpToo = false)
    {
        lock (HandedOut)
            return FreeUdpPortOnce(span, tcpToo);
    }

    private static readonly HashSet<int> HandedOut = [];

    private static int FreeUdpPortOnce(int span, bool tcpToo)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 29990) & ~1;
            if (Enumerable.Range(first, span).Any(HandedOut.Contains)) continue;
            var sockets = new List<Socket>();
            try
            {
                for (var i = 0; i < span; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, first + i));
                    if (!tcpToo) continue;
                    var stream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(stream);
                    stream.Bind(new IPEndPoint(IPAddress.Loopback, first + i));
                }
                HandedOut.UnionWith(Enumerable.Range(first, span));
                return first;
            }
            catch (SocketException)
            {
            }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
            }
        }
        throw new InvalidOperationException("no free UDP port found");
    }

    /// <summary>Removes a run's temp directory; called at the end of a test that passed (a failed one keeps it for a look).</summary>
    public static void DeleteOnSuccess(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static string TempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cc-{prefix}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(path);
        return path;
    }
}
