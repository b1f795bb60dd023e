using System.Globalization;
using ConferenceCluster.LoadTest.Reporting;
using ConferenceCluster.LoadTest.Running;
using ConferenceCluster.LoadTest.Tests.Support;
using Xunit.Abstractions;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>
/// The load tester's runner, in this process, against real silos in this process: real SIP over UDP, real RTP,
/// the real mixer. The report is the thing under test, and through it the cluster.
/// </summary>
public class LoadTestAgainstClusterTests(ITestOutputHelper output)
{
    private static LoadTestOptions Options(InProcessCluster cluster, int participants, int conferences) => new()
    {
        Profile = LoadProfile.Ramp,
        Participants = participants,
        Conferences = conferences,
        Ramp = TimeSpan.FromSeconds(5),
        Hold = TimeSpan.FromSeconds(6),
        Duration = TimeSpan.FromSeconds(60),
        MaxParticipants = participants,
        TalkersPerConference = 3,
        Targets = cluster.Targets,
        AliasFormat = "room{0}",
    };

    private static IEnumerable<string> Rooms(int count) => Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"room{i}"));

    private void Show(LoadTestReport report)
    {
        using var writer = new StringWriter();
        ReportWriter.WriteTable(report, writer);
        output.WriteLine(writer.ToString());
    }

    [Fact]
    public async Task Hundred_participants_in_ten_conferences_all_join_and_all_hear_exactly_the_others_talking()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(Rooms(10));

        var report = await new LoadTestRunner(Options(cluster, 100, 10)).RunAsync();
        Show(report);

        Assert.Equal(100, report.JoinAttempts);
        Assert.Equal(100, report.Joined);
        Assert.Empty(report.FailuresByStatus);
        Assert.Equal(100, report.PeakInConference);
        // Every participant was judged (it stayed long past the settling time) and heard its conference's talkers, never itself.
        Assert.Equal(100, report.Mix.ParticipantsChecked);
        Assert.Equal(100, report.Mix.ParticipantsCorrect);
        Assert.Equal(0, report.Mix.HeardItself);
        Assert.Equal(100, report.TimeToFirstAudioMs.Count);
        Assert.True(report.PacketsReceived > 0);
        Assert.Equal(0, report.RemoteHangUps);
    }

    [Fact]
    public async Task R25_over_capacity_the_report_counts_the_503s_with_their_Retry_After_and_the_rest_still_hear_right()
    {
        // R25: a join beyond the node's capacity is refused with 503 and Retry-After; ten audio calls fit here.
        await using var cluster = await InProcessCluster.StartAsync(settings: new Dictionary<string, string?> { ["Silo:Capacity:AudioCalls"] = "10" });
        await cluster.CreateRoomsAsync(Rooms(1));

        var report = await new LoadTestRunner(Options(cluster, 16, 1)).RunAsync();
        Show(report);

        Assert.Equal(16, report.JoinAttempts);
        var rejected = Assert.Single(report.FailuresByStatus);
        Assert.StartsWith("503 ", rejected.Key);
        Assert.Equal(16 - report.Joined, rejected.Value);
        Assert.InRange(report.Joined, 1, 10);
        Assert.Equal(rejected.Value, report.RetryAfterSeconds.Values.Sum());
        Assert.Equal(report.Joined, report.Mix.ParticipantsChecked);
        Assert.Equal(report.Joined, report.Mix.ParticipantsCorrect);
    }
}
