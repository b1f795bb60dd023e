using ConferenceCluster.LoadTest.Running;
using System.Text.Json;
using ConferenceCluster.LoadTest.Cli;
using ConferenceCluster.LoadTest.Tests.Support;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>The command line: bad options are refused before anything is sent, with the option named and exit code 2.</summary>
public class CommandLineTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LoadTestCommandLine.InvokeAsync(args, output, error).WaitAsync(TimeSpan.FromMinutes(2));
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--participants 0 -t 127.0.0.1:5060", "--participants")]
    [InlineData("--participants ten -t 127.0.0.1:5060", "--participants")]
    [InlineData("-n 10", "--target")]
    [InlineData("-n 10 -t 127.0.0.1", "--target")]
    [InlineData("-n 10 -t 127.0.0.1:70000", "--target")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --duration 7200", "--duration")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --duration 0", "--duration")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --ramp 90 --duration 60", "--ramp")]
    [InlineData("-n 900 -t 127.0.0.1:5060 --profile surge --surge 200", "--max-participants")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --max-participants 20000", "--max-participants")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --talkers 5", "--talkers")]
    [InlineData("-n 10 -m 11 -t 127.0.0.1:5060", "--conferences")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --front-door 127.0.0.1:5070", "--front-door")]
    [InlineData("-n 10 --front-door 127.0.0.1:5070", "--domain")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --host-pin 12", "--host-pin")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --guest-pin 5678", "--host-pin")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --host-pin 1234 --guest-ratio 0.5", "--guest-pin")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --profile churn --churn-rate 0", "--churn-rate")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --profile sideways", "--profile")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --target-mode random", "--target-mode")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --alias-format room", "--alias-format")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --bind ::1", "--bind")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --require 2", "--require")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --codec mp3", "--codec")]
    [InlineData("-n 10 -t 127.0.0.1:5060 --talk turns --turn 2 --settle 1.5", "--turn")]
    public async Task Bad_options_exit_2_with_an_error_naming_the_option(string args, string named)
    {
        var (code, output, error) = await RunAsync(args.Split(' '));

        Assert.Equal(LoadTestCommandLine.ExitCodes.BadOptions, code);
        Assert.Contains(named, error);
        Assert.Contains("error:", error);
        Assert.Equal("", output); // nothing ran
    }

    [Fact]
    public async Task Help_lists_the_profiles_and_bounds_and_exits_0()
    {
        var (code, output, _) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("--profile", output);
        Assert.Contains("--max-participants", output);
        Assert.Contains("--duration", output);
        Assert.Contains("--report", output);
        Assert.Contains("--codec", output);
        Assert.Contains("--talk", output);
    }

    [Fact]
    public void Opus_levels_dtx_and_turns_are_parsed()
    {
        var errors = LoadTestCommandLine.TryParse(["-n", "20", "-t", "127.0.0.1:5060", "--codec", "opus", "--dtx", "false", "--talk", "turns", "--turn", "6"], out var options);
        Assert.Empty(errors);
        Assert.Equal((LoadCodec.Opus, true, false, TalkPattern.Turns, TimeSpan.FromSeconds(6)),
            (options!.Codec, options.AudioLevels, options.Dtx, options.TalkPattern, options.TurnLength));
    }

    [Fact]
    public async Task A_run_from_the_command_line_prints_the_table_writes_the_JSON_report_and_meets_its_requirement()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(["cli1", "cli2"]);
        var report = Path.Combine(Path.GetTempPath(), $"loadtest-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, error) = await RunAsync("--profile", "ramp", "-n", "6", "-m", "2", "--ramp", "1", "--hold", "4", "--duration", "30",
                "--alias-format", "cli{0}", "-t", cluster.Targets[0].EndPoint.ToString(), "--report", report, "--require", "0.999", "--quiet");

            Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
            Assert.Contains("joined / attempts", output);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            Assert.Equal(6, json.RootElement.GetProperty("joined").GetInt32());
            Assert.Equal(6, json.RootElement.GetProperty("mix").GetProperty("participants_correct").GetInt32());
            Assert.True(json.RootElement.GetProperty("join_latency_ms").GetProperty("p99").GetDouble() > 0);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
