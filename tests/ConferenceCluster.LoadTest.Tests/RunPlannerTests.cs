using System.Net;
using ConferenceCluster.LoadTest.Running;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>Who calls where and when, planned without a network.</summary>
public class RunPlannerTests
{
    private static SipTarget Target(string location, int port) => new(location, new IPEndPoint(IPAddress.Loopback, port));

    [Fact]
    public void Participants_are_dealt_over_conferences_and_the_first_K_of_each_are_its_talkers()
    {
        var plans = RunPlanner.PlanParticipants(new LoadTestOptions { Participants = 12, Conferences = 3, TalkersPerConference = 2, Targets = [Target("a", 5060)] });

        Assert.Equal([0, 1, 2, 0, 1, 2], plans.Take(6).Select(p => p.Conference));
        Assert.All(plans, p => Assert.Equal(p.Slot < 2, p.IsTalker));
        Assert.Equal(2, plans.Count(p => p.Conference == 1 && p.IsTalker));
        Assert.Equal("loadtest2", plans[1].Alias);
        Assert.Equal("sip:loadtest2@127.0.0.1:5060", plans[1].RequestUri.ToString());
    }

    [Fact]
    public void Per_location_keeps_each_conference_in_one_location_and_round_robin_spreads_participants()
    {
        SipTarget[] targets = [Target("london", 5060), Target("london", 5061), Target("oslo", 5062)];
        var perLocation = RunPlanner.PlanParticipants(new LoadTestOptions { Participants = 8, Conferences = 2, Targets = targets, TargetMode = TargetMode.PerLocation });
        var roundRobin = RunPlanner.PlanParticipants(new LoadTestOptions { Participants = 6, Conferences = 2, Targets = targets });

        Assert.Equal([5060, 5061], perLocation.Where(p => p.Conference == 0).Select(p => p.NextHop.Port).Distinct().Order());
        Assert.Equal([5062], perLocation.Where(p => p.Conference == 1).Select(p => p.NextHop.Port).Distinct());
        Assert.Equal([5060, 5061, 5062, 5060, 5061, 5062], roundRobin.Select(p => p.NextHop.Port));
    }

    [Fact]
    public void Through_a_front_door_every_INVITE_goes_to_it_for_the_domain()
    {
        var door = new IPEndPoint(IPAddress.Loopback, 5070);
        var plans = RunPlanner.PlanParticipants(new LoadTestOptions { Participants = 2, FrontDoor = door, Domain = "vc.example.com" });

        Assert.All(plans, p => Assert.Equal(door, p.NextHop));
        Assert.Equal("sip:loadtest1@vc.example.com", plans[0].RequestUri.ToString());
    }

    [Fact]
    public void Guests_key_the_guest_PIN_in_the_asked_proportion_and_each_conference_starts_with_a_host()
    {
        var plans = RunPlanner.PlanParticipants(new LoadTestOptions
        {
            Participants = 10, HostPin = "1234", GuestPin = "5678", GuestRatio = 0.3, Targets = [Target("a", 5060)],
        });

        Assert.Equal(3, plans.Count(p => p.IsGuest));
        Assert.All(plans, p => Assert.Equal(p.IsGuest ? "5678" : "1234", p.Pin));

        var halfGuests = RunPlanner.PlanParticipants(new LoadTestOptions
        {
            Participants = 8, Conferences = 2, HostPin = "1234", GuestPin = "5678", GuestRatio = 0.5, Targets = [Target("a", 5060)],
        });
        Assert.All(halfGuests.GroupBy(p => p.Conference), c => Assert.Equal([false, true, false, true], c.OrderBy(p => p.Slot).Select(p => p.IsGuest)));
    }

    [Fact]
    public void The_surge_joins_after_the_steady_load_within_its_window_and_the_run_ends_at_the_duration()
    {
        var options = new LoadTestOptions
        {
            Profile = LoadProfile.Surge, Participants = 4, SurgeParticipants = 6, Ramp = TimeSpan.FromSeconds(2),
            SurgeAt = TimeSpan.FromSeconds(10), SurgeOver = TimeSpan.FromSeconds(3), Duration = TimeSpan.FromSeconds(30), Targets = [Target("a", 5060)],
        };

        var joins = RunPlanner.PlanJoins(options);

        Assert.Equal(10, joins.Count);
        Assert.All(joins.Take(4), j => Assert.InRange(j.AtMs, 0, 2000));
        Assert.All(joins.Skip(4), j => Assert.InRange(j.AtMs, 10_000, 13_000));
        Assert.Equal(TimeSpan.FromSeconds(30), RunPlanner.PlannedEnd(options));
        Assert.Empty(options.Validate());
    }
}
