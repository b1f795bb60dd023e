using System.Diagnostics;
using System.Globalization;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.LocalCluster.Tests.Support;

namespace ConferenceCluster.LocalCluster.Tests;

/// <summary>deploy/local-cluster.sh in the foreground, as an operator runs it at a terminal.</summary>
public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task Ctrl_c_stops_every_process_the_script_started()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "cc-local-" + Guid.NewGuid().ToString("N")[..10]);
        // Through `env --default-signal=INT`: a shell started from a background job (CI runners, `nohup ... &`) inherits
        // SIGINT ignored, and bash cannot trap a signal ignored on entry, so the script would never see the Ctrl-C that a
        // terminal delivers. This gives it the terminal's default disposition, as an operator's shell has.
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = RunningLocalCluster.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--default-signal=INT", "bash", Path.Combine(RunningLocalCluster.RepositoryRoot, "deploy", "local-cluster.sh"), "--no-build", "--configuration", RunningLocalCluster.BuildConfiguration,
                     "--data-dir", dataDirectory, "--port-offset", RunningLocalCluster.PortOffset.ToString(CultureInfo.InvariantCulture),
                     "--only", "postgres,london1,kamailio-london",
                     // A fixed capacity: no startup capacity check, which is not what this test is about.
                     "--env", "london1:Silo__Capacity__AudioCalls=100",
                 })
            start.ArgumentList.Add(argument);
        using var script = Process.Start(start)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        script.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains("Ctrl-C stops it all", StringComparison.Ordinal)) ready.TrySetResult();
        };
        script.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            var started = await Task.WhenAny(ready.Task, script.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.True(started == ready.Task, "the script did not come up:\n" + Text(output));

            var pids = new[] { "london1", "kamailio-london" }.ToDictionary(s => s, s => int.Parse(File.ReadAllText(Path.Combine(dataDirectory, s, "pid")).Trim(), CultureInfo.InvariantCulture));
            var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            Assert.All(pids.Values.Append(postmaster), pid => Assert.True(Signals.Exists(pid), $"process {pid} is not running"));

            Signals.Send(script.Id, Signals.Interrupt);
            var exited = await Task.WhenAny(script.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
            Assert.True(exited != null && script.HasExited, "the script did not stop on Ctrl-C:\n" + Text(output));
            Assert.Equal(0, script.ExitCode);
            Assert.Contains("local-cluster: stopped", Text(output), StringComparison.Ordinal);

            // Each silo and Kamailio leads its own process group: nothing of them is left (Kamailio's children included).
            foreach (var (service, pid) in pids)
                Assert.False(Signals.Exists(-pid), $"{service} (process group {pid}) is still running after Ctrl-C");
            Assert.False(Signals.Exists(postmaster), "PostgreSQL is still running after Ctrl-C");
        }
        finally
        {
            if (!script.HasExited)
            {
                await ExternalTool.RunAsync("bash", [Path.Combine(RunningLocalCluster.RepositoryRoot, "deploy", "local-cluster.sh"), "stop", "--data-dir", dataDirectory],
                    RunningLocalCluster.RepositoryRoot, TimeSpan.FromMinutes(2));
                script.Kill(entireProcessTree: true);
            }
        }
        ExternalTool.DeleteOnSuccess(dataDirectory);
    }

    private static string Text(System.Text.StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
