using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>Break-in resistance (R-BRK-1..5, seed L4353–4431).</summary>
public class BreakInResistanceTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void R_BRK_1_the_21st_wrong_PIN_within_10_minutes_blocks_the_VMR_for_10_minutes_L4365()
    {
        var guard = new BreakInResistance(_clock);
        for (var i = 1; i <= 20; i++)
        {
            _clock.AdvanceSeconds(25); // 20 failures spread over 500 s
            Assert.False(guard.RecordIncorrectPin("alice"));
            Assert.True(guard.CheckService("alice").Allowed);
        }
        _clock.AdvanceSeconds(25);
        Assert.True(guard.RecordIncorrectPin("alice")); // more than 20 in the window
        var blocked = guard.CheckService("alice", "Crooky McCrookface", "10.44.21.35");
        Assert.False(blocked.Allowed);
        Assert.Equal(TimeSpan.FromMinutes(10), blocked.RemainingBlock);
        Assert.Contains("Break-in prevention policy blocking all attempts to join this service.", blocked.LogMessage);
        Assert.Contains("remaining_block_duration_seconds=\"600\"", blocked.LogMessage);
        Assert.True(guard.CheckService("bob").Allowed); // per VMR

        _clock.AdvanceSeconds(75);
        Assert.Contains("remaining_block_duration_seconds=\"525\"", guard.CheckService("alice").LogMessage); // as L4418
        Assert.False(guard.RecordIncorrectPin("alice")); // a block is not extended
        _clock.AdvanceSeconds(525 - 1);
        Assert.False(guard.CheckService("alice").Allowed);
        _clock.AdvanceSeconds(1);
        Assert.True(guard.CheckService("alice").Allowed); // released after 10 minutes
        Assert.False(guard.RecordIncorrectPin("alice")); // and counting starts afresh
    }

    [Fact]
    public void R_BRK_1_the_window_slides_failures_older_than_10_minutes_do_not_count()
    {
        var guard = new BreakInResistance(_clock);
        for (var i = 0; i < 20; i++)
        {
            Assert.False(guard.RecordIncorrectPin("alice"));
            _clock.AdvanceSeconds(30); // one every 30 s: the window never holds more than 20
        }
        for (var i = 0; i < 50; i++)
        {
            Assert.False(guard.RecordIncorrectPin("alice"));
            _clock.AdvanceSeconds(30);
        }
        Assert.True(guard.CheckService("alice").Allowed);
        // The window now holds 19 (the oldest just turned 10 minutes old): two more at once make 21.
        Assert.False(guard.RecordIncorrectPin("alice"));
        Assert.True(guard.RecordIncorrectPin("alice"));
    }

    [Fact]
    public void R_BRK_2_more_than_20_unknown_aliases_from_one_address_quarantine_it_L4389()
    {
        var guard = new BreakInResistance(_clock);
        for (var i = 0; i < 20; i++) Assert.False(guard.RecordUnknownAlias("10.47.250.169"));
        Assert.True(guard.RecordUnknownAlias("10.47.250.169"));
        var refused = guard.CheckCaller("10.47.250.169", "alice");
        Assert.False(refused.Allowed);
        Assert.Contains("Suspicious join attempt rejected", refused.LogMessage);
        Assert.True(guard.CheckCaller("10.47.250.170").Allowed);
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(guard.CheckCaller("10.47.250.169").Allowed);
    }

    [Fact]
    public void Prune_forgets_quiet_keys()
    {
        var guard = new BreakInResistance(_clock);
        guard.RecordIncorrectPin("alice");
        guard.RecordUnknownAlias("10.0.0.1");
        Assert.Equal(2, guard.TrackedKeys);
        _clock.Advance(TimeSpan.FromMinutes(10));
        guard.Prune();
        Assert.Equal(0, guard.TrackedKeys);
    }
}
