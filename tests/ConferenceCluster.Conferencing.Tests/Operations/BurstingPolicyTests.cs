using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Bursting;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>
/// The acceptance scenarios of seed-cloud-bursting.md section 5 against the policy and a manual clock: threshold 5,
/// minimum lifetime 50 min, boot time 5 min, controller tick 15 s, London (2 × 20 HD) overflowing to Burst-EU (A, B × 20 HD).
/// S12, S14 and S19 are about the provider and live in BurstingControllerTests; S17 and S18 are not implemented (see docs/decisions.md).
/// </summary>
public class BurstingPolicyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static PrincipalLocationStatus London(BurstingPlan plan) => plan.Principals.Single(p => p.Location == "London");

    /// <summary>S1 — the worked example end to end (ADM L2077–2109, table L2086–2105).</summary>
    [Fact]
    public void S1_worked_example_L2086_to_L2105()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();

        // Step 1: no conferences (L2086).
        fleet.Load("London", 40, hasMedia: false);
        Assert.Equal(BurstingThresholdState.BelowThreshold, London(fleet.Tick()).State);
        // (a) Step 2: 33 participants, 6 left (L2089): approaching, no start.
        fleet.Load("London", 6);
        Assert.Equal(BurstingThresholdState.ApproachingThreshold, London(fleet.Tick()).State);
        Assert.Empty(fleet.Started);
        // (b) Step 3: 1 more, London 5 (L2090): exactly one start, node A, with a reason.
        fleet.Load("London", 5);
        var plan = fleet.Tick();
        Assert.Equal(BurstingThresholdState.ThresholdReached, London(plan).State);
        var started = Assert.Single(fleet.Started);
        Assert.Equal("A", started.Action.Node);
        Assert.Contains("London", started.Action.Reason);
        // (c) While A boots London stays 5: no second start.
        fleet.RunUntil(4 * Minute + TimeSpan.FromSeconds(45));
        Assert.Single(fleet.Started);
        Assert.Equal(OverflowNodeState.Starting, fleet.StateOf("A"));
        // (d) Step 4 at t = B: A runs, Burst-EU has 20 (L2091).
        fleet.Load("Burst-EU", 20, hasMedia: false);
        plan = fleet.RunUntil(5 * Minute);
        Assert.Equal(OverflowNodeState.Running, fleet.StateOf("A"));
        Assert.Equal(20, plan.OverflowLocations.Single(o => o.Location == "Burst-EU").AvailableHdCalls);
        // Steps 5–7: London 0, media lands on A (18, then 6): no start (L2092–2094).
        fleet.Load("London", 0);
        fleet.Load("Burst-EU", 18);
        fleet.Hosting("A", true);
        fleet.RunUntil(10 * Minute);
        fleet.Load("Burst-EU", 6);
        fleet.RunUntil(15 * Minute);
        Assert.Single(fleet.Started);
        // (f) Step 8 at t = 20 min: Burst-EU 5 (L2095): exactly one start, node B, while London is 0.
        fleet.RunUntil(20 * Minute);
        fleet.Load("Burst-EU", 5);
        fleet.Tick();
        Assert.Equal(["A", "B"], fleet.Started.Select(s => s.Action.Node));
        Assert.Equal(20 * Minute, fleet.Started[1].At);
        Assert.Contains("Burst-EU", fleet.Started[1].Action.Reason);
        // Steps 9–10: B runs, 25 then 17 (L2096–2097).
        fleet.Load("Burst-EU", 25);
        fleet.RunUntil(25 * Minute);
        Assert.Equal(OverflowNodeState.Running, fleet.StateOf("B"));
        fleet.Load("Burst-EU", 17);
        fleet.Hosting("B", true);
        fleet.RunUntil(30 * Minute);
        // Step 11: the conference ends (L2098); step 12: a new one of 25 in London, 14 left (L2101).
        fleet.Load("London", 40, hasMedia: false);
        fleet.Load("Burst-EU", 40, hasMedia: false);
        fleet.Hosting("A", false);
        fleet.Hosting("B", false);
        fleet.RunUntil(31 * Minute);
        fleet.Load("London", 14);
        // (h) No stop before each node's own start + 50 min.
        fleet.RunUntil(50 * Minute - TimeSpan.FromSeconds(15));
        Assert.Empty(fleet.Stopped);
        // (i) Steps 13–14: A stops at t_A + 50, B at t_B + 50, "no longer needed" (L2103–2104).
        fleet.RunUntil(90 * Minute);
        Assert.Equal([(50 * Minute, "A"), (70 * Minute, "B")], fleet.Stopped.Select(s => (s.At, s.Action.Node)));
        Assert.All(fleet.Stopped, s => Assert.Equal(BurstingPolicy.NoLongerNeeded, s.Action.Reason));
        Assert.Equal(2, fleet.Started.Count);
    }

    /// <summary>S2 — threshold boundary and status text (ADM L2119–2120).</summary>
    [Fact]
    public void S2_threshold_boundary_and_status_text_L2119()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        (long Available, BurstingThresholdState State, int Starts)[] expected =
        [
            (8, BurstingThresholdState.BelowThreshold, 0),
            (7, BurstingThresholdState.ApproachingThreshold, 0),
            (6, BurstingThresholdState.ApproachingThreshold, 0),
            (5, BurstingThresholdState.ThresholdReached, 1),
            (4, BurstingThresholdState.ThresholdReached, 1), // no second start while A is starting
        ];
        foreach (var (available, state, starts) in expected)
        {
            fleet.Load("London", available);
            Assert.Equal(state, London(fleet.Tick()).State);
            Assert.Equal(starts, fleet.Started.Count);
        }
    }

    /// <summary>S3 — the start window (ADM L2054): one start, no more while it boots; capacity only once A runs.</summary>
    [Fact]
    public void S3_start_window_one_start_until_the_node_runs_L2054()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Load("London", 5);
        fleet.Tick();
        fleet.Load("London", 0);
        var plan = fleet.RunUntil(Minute);
        Assert.Single(fleet.Started);
        Assert.Equal(0, plan.OverflowLocations.Single().AvailableHdCalls); // a starting node offers nothing yet
        fleet.Load("Burst-EU", 20, hasMedia: false);
        plan = fleet.RunUntil(5 * Minute);
        Assert.Equal(20, plan.OverflowLocations.Single().AvailableHdCalls);
        Assert.Single(fleet.Started);
    }

    /// <summary>S4 — the media-load guard (ADM L2072): no load, no start; the same capacity with a call starts one.</summary>
    [Fact]
    public void S4_media_load_guard_L2072()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Load("London", 0, hasMedia: false);
        fleet.RunUntil(2 * Minute);
        Assert.Empty(fleet.Started);
        fleet.Load("London", 0, hasMedia: true);
        fleet.Tick();
        Assert.Equal("A", Assert.Single(fleet.Started).Action.Node);
    }

    /// <summary>S5 — a manual start of an idle node stops at exactly the minimum lifetime (ADM L2069).</summary>
    [Fact]
    public void S5_minimum_lifetime_of_an_idle_manually_started_node_L2069()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Load("London", 40, hasMedia: false);
        fleet.StartManually("A");
        fleet.Load("Burst-EU", 20, hasMedia: false);
        fleet.RunUntil(49 * Minute + TimeSpan.FromSeconds(59), tick: TimeSpan.FromSeconds(1));
        Assert.Equal(OverflowNodeState.Running, fleet.StateOf("A"));
        fleet.RunUntil(50 * Minute, tick: TimeSpan.FromSeconds(1));
        Assert.Equal(OverflowNodeState.NotRunning, fleet.StateOf("A"));
        Assert.Equal(50 * Minute, Assert.Single(fleet.Stopped).At);
        Assert.Equal(["manual start"], fleet.Started.Select(s => s.Action.Reason));
    }

    /// <summary>S6 — busy at lifetime expiry: stopped at the first tick after it becomes idle; B unaffected (ADM L2069).</summary>
    [Fact]
    public void S6_busy_at_lifetime_expiry_stops_when_idle_L2069()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Load("London", 40, hasMedia: false);
        fleet.StartManually("A");
        fleet.Load("Burst-EU", 15);
        fleet.RunUntil(5 * Minute);
        fleet.Hosting("A", true);
        fleet.RunUntil(72 * Minute);
        Assert.Empty(fleet.Stopped);
        fleet.Hosting("A", false);
        fleet.Load("Burst-EU", 20, hasMedia: false);
        fleet.RunUntil(72 * Minute + TimeSpan.FromSeconds(15));
        var stop = Assert.Single(fleet.Stopped);
        Assert.Equal(("A", 72 * Minute + TimeSpan.FromSeconds(15)), (stop.Action.Node, stop.At));
        Assert.Equal(OverflowNodeState.NotRunning, fleet.StateOf("B"));
        Assert.Single(fleet.Started);
    }

    /// <summary>S7 — a configurable lifetime of 10 min: auto-started at 0, idle from 3, stopped at 10 (ADM L2069, L3232).</summary>
    [Fact]
    public void S7_configurable_minimum_lifetime_L3232()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Settings = fleet.Settings with { MinimumLifetime = TimeSpan.FromMinutes(10) };
        fleet.Load("London", 5);
        fleet.Tick();
        fleet.Load("Burst-EU", 20, hasMedia: false);
        fleet.Load("London", 30);
        fleet.RunUntil(3 * Minute);
        fleet.RunUntil(10 * Minute - TimeSpan.FromSeconds(15));
        Assert.Empty(fleet.Stopped);
        fleet.RunUntil(10 * Minute);
        Assert.Equal(10 * Minute, Assert.Single(fleet.Stopped).At);
    }

    /// <summary>
    /// S8 — a scheduled manual start (AZ:679–690): threshold 12, 80 HD always on. Started at 08:50 (t=0), running by
    /// 08:55; with no load all stop at 09:40. Started at 07:50 for a 09:00 spike they stop at 08:40, before use (AZ:675).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void S8_scheduled_manual_start_AZ679(int startMinutesFrom0850)
    {
        var fleet = new BurstingFleet()
            .Location("London", primaryOverflow: "Burst-EU").Location("Burst-EU")
            .AlwaysOn("London-1", "London", 40).AlwaysOn("London-2", "London", 40)
            .Burst("A", "Burst-EU").Burst("B", "Burst-EU");
        fleet.Settings = fleet.Settings with { ThresholdHdCalls = 12 };
        fleet.Load("London", 80, hasMedia: false);
        fleet.Load("Burst-EU", 40, hasMedia: false);
        var start = TimeSpan.FromMinutes(60 + startMinutesFrom0850); // the test's epoch is 07:50
        fleet.RunUntil(start);
        fleet.StartManually("A");
        fleet.StartManually("B");
        fleet.RunUntil(start + 5 * Minute);
        Assert.Equal([OverflowNodeState.Running, OverflowNodeState.Running], new[] { fleet.StateOf("A"), fleet.StateOf("B") });
        fleet.RunUntil(start + 50 * Minute - TimeSpan.FromSeconds(15));
        Assert.Empty(fleet.Stopped);
        fleet.RunUntil(start + 50 * Minute);
        Assert.Equal(2, fleet.Stopped.Count);
        Assert.All(fleet.Stopped, s => Assert.Equal(start + 50 * Minute, s.At));
    }

    /// <summary>S9 — the cascade ignores the principal's free capacity (ADM L2052).</summary>
    [Fact]
    public void S9_cascade_ignores_principal_capacity_L2052()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Load("London", 5);
        fleet.Tick();
        fleet.Load("Burst-EU", 20, hasMedia: false);
        fleet.RunUntil(5 * Minute);
        fleet.Load("London", 30);
        fleet.Load("Burst-EU", 5);
        fleet.Hosting("A", true);
        fleet.Tick();
        Assert.Equal(["A", "B"], fleet.Started.Select(s => s.Action.Node));
    }

    /// <summary>S10 — a Secondary overflow location never starts a node (ADM L2061).</summary>
    [Fact]
    public void S10_secondary_overflow_never_auto_starts_L2061()
    {
        var fleet = new BurstingFleet()
            .Location("Oslo", primaryOverflow: "X", secondaryOverflow: "Burst-EU").Location("X").Location("Burst-EU")
            .AlwaysOn("Oslo-1", "Oslo").AlwaysOn("X-1", "X")
            .Burst("A", "Burst-EU").Burst("B", "Burst-EU");
        fleet.Load("Oslo", 0);
        fleet.Load("X", 0);
        var plan = fleet.RunUntil(10 * Minute);
        Assert.Empty(fleet.Started);
        Assert.DoesNotContain(plan.Principals, p => p.Location == "Oslo");
    }

    /// <summary>S11 — independent overflow locations: London→Burst-1 and Paris→Burst-2 each start one (ADM L2063).</summary>
    [Fact]
    public void S11_independent_overflow_locations_L2063()
    {
        var fleet = new BurstingFleet()
            .Location("London", primaryOverflow: "Burst-1").Location("Paris", primaryOverflow: "Burst-2").Location("Burst-1").Location("Burst-2")
            .AlwaysOn("London-1", "London").AlwaysOn("Paris-1", "Paris")
            .Burst("A1", "Burst-1").Burst("B1", "Burst-1").Burst("A2", "Burst-2").Burst("B2", "Burst-2");
        fleet.Load("London", 3);
        fleet.Load("Paris", 5);
        fleet.Tick();
        Assert.Equal(["A1", "A2"], fleet.Started.Select(s => s.Action.Node).Order());
        fleet.Load("Burst-1", 20, hasMedia: false);
        fleet.Load("Burst-2", 20);
        fleet.Load("London", 30, hasMedia: false);
        fleet.RunUntil(5 * Minute);
        fleet.Hosting("A2", true);
        fleet.RunUntil(50 * Minute);
        Assert.Equal("A1", Assert.Single(fleet.Stopped).Action.Node);
        Assert.Equal(OverflowNodeState.Running, fleet.StateOf("A2"));
    }

    /// <summary>S13 — an overflow location nobody uses as Primary overflow is reported (ADM L15444); naming it clears it.</summary>
    [Fact]
    public void S13_location_without_overflow_users_is_reported_L15444()
    {
        var fleet = new BurstingFleet().Location("London").Location("Burst-EU").AlwaysOn("London-1", "London").Burst("A", "Burst-EU");
        var issue = Assert.Single(fleet.Tick().Issues);
        Assert.Equal(("Burst-EU", "overflow_location1"), (issue.Location, issue.Field));
        fleet.Locations[0] = fleet.Locations[0] with { PrimaryOverflowLocation = "Burst-EU" };
        Assert.Empty(fleet.Tick().Issues);
    }

    /// <summary>S15 — a principal whose transcoding location holds only burst nodes is a clear issue, and never bursts (ADM L16357).</summary>
    [Fact]
    public void S15_transcoding_location_of_only_burst_nodes_is_an_issue_L16357()
    {
        var fleet = new BurstingFleet()
            .Location("London", primaryOverflow: "Burst-EU", transcoding: "Burst-Only").Location("Burst-EU").Location("Burst-Only", primaryOverflow: "Burst-EU")
            .Burst("C", "Burst-Only").Burst("A", "Burst-EU");
        fleet.Load("Burst-Only", 0);
        var plan = fleet.Tick();
        var issue = Assert.Single(plan.Issues, i => i.Location == "London");
        Assert.Equal("transcoding_location", issue.Field);
        Assert.Empty(fleet.Started);
        Assert.DoesNotContain(plan.Principals, p => p.Location == "London");
    }

    /// <summary>S16 — only locations whose Primary overflow holds burst nodes are principal locations (ADM L2118).</summary>
    [Fact]
    public void S16_status_lists_only_principal_locations_L2118()
    {
        var fleet = BurstingFleet.LondonAndBurstEu().Location("Paris", primaryOverflow: "London").AlwaysOn("Paris-1", "Paris");
        var plan = fleet.Tick();
        Assert.Equal(["London"], plan.Principals.Select(p => p.Location));
        Assert.Equal(["Burst-EU"], plan.OverflowLocations.Select(o => o.Location));
    }

    /// <summary>Bursting off (L3228): nothing is started or stopped automatically, whatever the load.</summary>
    [Fact]
    public void Disabled_bursting_starts_and_stops_nothing_L3228()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Settings = fleet.Settings with { Enabled = false };
        fleet.Load("London", 0);
        fleet.RunUntil(60 * Minute);
        Assert.Empty(fleet.Started);
        Assert.Equal(BurstingThresholdState.ThresholdReached, London(fleet.LastPlan).State);
    }

    /// <summary>An empty pool: the principal stays at threshold and nothing more happens (seed §1.3 item 4).</summary>
    [Fact]
    public void Exhausted_pool_starts_nothing_more()
    {
        var fleet = BurstingFleet.LondonAndBurstEu();
        fleet.Load("London", 0);
        fleet.Tick();
        fleet.Load("Burst-EU", 0);
        fleet.RunUntil(5 * Minute);
        fleet.Hosting("A", true);
        fleet.RunUntil(15 * Minute);
        fleet.Hosting("B", true);
        fleet.RunUntil(30 * Minute);
        Assert.Equal(["A", "B"], fleet.Started.Select(s => s.Action.Node));
    }
}
