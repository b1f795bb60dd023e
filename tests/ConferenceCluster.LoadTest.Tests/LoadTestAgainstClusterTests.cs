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
        output.WriteLine("Silo log (Information and up, newest last):\n" + InProcessCluster.RecentLog());
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
        Assert.Empty(report.EndedEarly);
    }

    [Fact]
    public async Task Opus_callers_with_levels_and_dtx_talking_in_turns_all_hear_exactly_who_talks()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(Rooms(2));
        var options = Options(cluster, 24, 2) with
        {
            Codec = LoadCodec.Opus,
            TalkPattern = TalkPattern.Turns,
            TurnLength = TimeSpan.FromSeconds(4),
            Ramp = TimeSpan.FromSeconds(3),
            Hold = TimeSpan.FromSeconds(12),
        };

        var report = await new LoadTestRunner(options).RunAsync();
        Show(report);

        Assert.Equal(24, report.Joined);
        Assert.Equal(24, report.Mix.ParticipantsChecked);
        Assert.Equal(24, report.Mix.ParticipantsCorrect);
        Assert.Equal(0, report.Mix.HeardItself);
        Assert.True(report.Mix.WindowsJudged > 24 * 20, $"only {report.Mix.WindowsJudged} windows were judged");
    }

    [Fact]
    public async Task R25_L2197_over_capacity_the_report_counts_the_503s_with_their_Retry_After_and_the_rest_still_hear_right()
    {
        // R25 (L2197): a join beyond the node's capacity is refused with 503 and Retry-After; ten audio calls fit here.
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

    [Fact]
    public async Task L6890_PIN_participants_key_host_and_guest_PINs_as_RFC_4733_events_and_follow_the_reINVITE_into_the_conference()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(Rooms(2), hostPin: "1234", guestPin: "5678");
        var options = Options(cluster, 8, 2) with { HostPin = "1234", GuestPin = "5678", GuestRatio = 0.5, Ramp = TimeSpan.FromSeconds(2), Hold = TimeSpan.FromSeconds(10) };

        var report = await new LoadTestRunner(options).RunAsync();
        Show(report);

        Assert.Equal(8, report.Joined);
        Assert.Empty(report.FailuresByStatus);
        Assert.Equal(8 * "1234#".Length, report.DtmfDigitsSent);
        // Admission is a re-INVITE from the PIN entry screen to the conference's media (R-PIN-3).
        Assert.True(report.ReInvitesAnswered >= 8, $"{report.ReInvitesAnswered} re-INVITEs answered");
        Assert.Equal(8, report.Mix.ParticipantsChecked);
        Assert.Equal(8, report.Mix.ParticipantsCorrect);
    }

    [Fact]
    public async Task Churn_participants_leave_and_rejoin_and_every_judged_window_matches_who_was_in()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(Rooms(2));
        var options = Options(cluster, 10, 2) with
        {
            Profile = LoadProfile.Churn, Ramp = TimeSpan.FromSeconds(2), ChurnPerSecond = 2, ChurnPause = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(14),
        };

        var report = await new LoadTestRunner(options).RunAsync();
        Show(report);

        Assert.True(report.JoinAttempts > 10, $"only {report.JoinAttempts} attempts: nobody rejoined");
        Assert.Equal(report.JoinAttempts, report.Joined);
        Assert.Equal(0, report.Mix.HeardItself);
        Assert.Equal(report.Mix.ParticipantsChecked, report.Mix.ParticipantsCorrect);
        Assert.True(report.Mix.ParticipantsChecked >= 8, $"only {report.Mix.ParticipantsChecked} participants could be judged");
    }

    [Fact]
    public async Task Round_robin_over_two_silos_puts_each_conference_on_both_and_the_mix_still_adds_up()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 2);
        await cluster.CreateRoomsAsync(Rooms(2));

        var report = await new LoadTestRunner(Options(cluster, 20, 2)).RunAsync();
        Show(report);

        Assert.Equal(20, report.Joined);
        Assert.Equal(20, report.Mix.ParticipantsChecked);
        Assert.Equal(20, report.Mix.ParticipantsCorrect);
    }

    [Fact]
    public async Task Through_the_Kamailio_front_door_calls_are_dispatched_over_the_silos_and_BYEs_follow_its_Record_Route()
    {
        await using var cluster = await InProcessCluster.StartAsync(silos: 2);
        await cluster.CreateRoomsAsync(Rooms(2));
        using var kamailio = await KamailioFrontDoor.StartAsync(cluster.Targets.Select(t => t.EndPoint));
        var options = Options(cluster, 12, 2) with { Targets = [], FrontDoor = kamailio.EndPoint, Domain = "conference.invalid" };

        var report = await new LoadTestRunner(options).RunAsync();
        Show(report);

        Assert.Equal(12, report.Joined);
        Assert.Equal(12, report.Mix.ParticipantsCorrect);
        // The dispatcher logs each INVITE it sends to a silo; round robin used both.
        var dispatched = kamailio.Log.Split('\n').Where(l => l.Contains("INVITE sip:room", StringComparison.Ordinal) && l.Contains(" -> ", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, dispatched.Count);
        Assert.All(cluster.Targets, t => Assert.Contains(dispatched, l => l.EndsWith($":{t.EndPoint.Port}", StringComparison.Ordinal)));
        // Every BYE reached its silo (through the proxy, the only route the dialogs know): no call is left up.
        await cluster.WaitForNoCallsAsync();
    }

    [Fact]
    public async Task Surge_a_spike_on_top_of_the_steady_load_is_reported_on_its_own_and_everyone_is_held()
    {
        await using var cluster = await InProcessCluster.StartAsync();
        await cluster.CreateRoomsAsync(Rooms(2));
        var options = Options(cluster, 10, 2) with
        {
            Profile = LoadProfile.Surge, Ramp = TimeSpan.FromSeconds(2), SurgeParticipants = 10, SurgeAt = TimeSpan.FromSeconds(4),
            SurgeOver = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(10), MaxParticipants = 20,
        };

        var report = await new LoadTestRunner(options).RunAsync();
        Show(report);

        var surge = Assert.IsType<JoinPhase>(report.Surge);
        Assert.Equal(10, surge.Attempts);
        Assert.Equal(10, surge.Joined);
        Assert.Equal(20, report.Joined);
        Assert.Equal(20, report.PeakInConference);
        Assert.Equal(20, report.Mix.ParticipantsCorrect);
    }
}
