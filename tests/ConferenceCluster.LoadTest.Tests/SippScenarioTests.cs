using System.Globalization;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.LoadTest.Tests.Support;
using Xunit.Abstractions;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>The shipped SIPp scenario (loadtest/sipp) driven by a real SIPp against an in-process silo, as its README runs it.</summary>
public class SippScenarioTests(ITestOutputHelper output)
{
    private const string Scenario = "uac_join_hold_leave.xml";

    private static string RoomsFile(string directory, int rooms)
    {
        var path = Path.Combine(directory, "rooms.csv");
        File.WriteAllLines(path, ["SEQUENTIAL", .. Enumerable.Range(1, rooms).Select(i => string.Create(CultureInfo.InvariantCulture, $"loadtest{i}"))]);
        return path;
    }

    private async Task<Sipp> RunAsync(InProcessCluster cluster, string rooms, string directory, params string[] arguments)
    {
        var sipp = await Sipp.RunAsync(cluster.Targets[0].EndPoint.Port, Scenario, ["-inf", rooms, .. arguments], timeoutSeconds: 60, workDirectory: directory);
        output.WriteLine(sipp.Result.Describe());
        output.WriteLine(string.Join("\n", sipp.FinalStatistics().Where(s => s.Key.EndsWith("(C)", StringComparison.Ordinal)).Select(s => $"{s.Key}={s.Value}")));
        return sipp;
    }

    [Fact]
    public async Task Calls_at_a_rate_all_join_hold_and_leave()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(["loadtest1", "loadtest2"]);
        var directory = ExternalTool.TempDirectory("sipp-loadtest");

        var sipp = await RunAsync(cluster, RoomsFile(directory, 2), directory, "-r", "10", "-m", "20", "-l", "20", "-d", "2000");

        Assert.Equal(0, sipp.Result.ExitCode);
        Assert.Equal(20, sipp.Statistic("SuccessfulCall(C)"));
        Assert.Equal(0, sipp.Statistic("FailedCall(C)"));
        Assert.DoesNotContain("SIP/2.0 400", sipp.MessageLog); // every ACK and BYE was well formed
    }

    [Fact]
    public async Task R25_L2197_calls_beyond_capacity_are_refused_with_503_ACKed_and_counted_as_failed()
    {
        await using var cluster = await InProcessCluster.StartAsync(settings: new Dictionary<string, string?> { ["Silo:Capacity:AudioCalls"] = "5" });
        await cluster.CreateRoomsAsync(["loadtest1"]);
        var directory = ExternalTool.TempDirectory("sipp-loadtest");

        var sipp = await RunAsync(cluster, RoomsFile(directory, 1), directory, "-r", "20", "-m", "12", "-l", "12", "-d", "4000");

        Assert.Equal(12, sipp.Statistic("SuccessfulCall(C)") + sipp.Statistic("FailedCall(C)"));
        Assert.InRange(sipp.Statistic("SuccessfulCall(C)"), 1, 5);
        Assert.Contains("SIP/2.0 503", sipp.MessageLog);
        Assert.DoesNotContain("SIP/2.0 400", sipp.MessageLog);
        // No 503 was retransmitted for want of an ACK (RFC 3261 17.2.1 Timer G): SIPp's ACK reached the silo.
        Assert.Equal(sipp.ReceivedMessages().Count(m => m.StartsWith("SIP/2.0 503", StringComparison.Ordinal)),
            sipp.SentMessages().Count(m => m.StartsWith("ACK", StringComparison.Ordinal) && m.Contains("CSeq: 1 ACK", StringComparison.Ordinal)) - sipp.Statistic("SuccessfulCall(C)"));
    }
}
