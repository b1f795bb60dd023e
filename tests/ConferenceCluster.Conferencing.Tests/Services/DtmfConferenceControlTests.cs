using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>DTMF code maps and the two-digit collector (R-DTMF, seed L8140–8171, L8501).</summary>
public class DtmfConferenceControlTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Default_codes_are_star7_star5_hashhash_L8149_to_L8151()
    {
        var collector = new DtmfCommandCollector(DtmfConferenceControl.Default, _clock);
        Assert.Equal([DtmfCommand.ToggleLock], collector.Add("*7"));
        Assert.Equal([DtmfCommand.ToggleGuestMute], collector.Add("*5"));
        Assert.Equal([DtmfCommand.EndConference], collector.Add("##"));
        Assert.Equal([DtmfCommand.ToggleLock, DtmfCommand.ToggleGuestMute], collector.Add("1*7*5"));
    }

    [Fact]
    public void Digits_may_arrive_one_at_a_time_within_the_inter_digit_timeout()
    {
        var collector = new DtmfCommandCollector(DtmfConferenceControl.Default, _clock);
        Assert.Empty(collector.Add("*"));
        _clock.AdvanceSeconds(2);
        Assert.Equal([DtmfCommand.ToggleLock], collector.Add("7"));
        Assert.Empty(collector.Add("*"));
        _clock.AdvanceSeconds(4); // too slow: the '*' is forgotten
        Assert.Empty(collector.Add("7"));
    }

    [Fact]
    public void Custom_codes_must_be_two_distinct_digits_each_or_DTMF_control_is_disabled_L8159_L8501()
    {
        var custom = DtmfConferenceControl.FromTheme(
            new Dictionary<string, string> { ["57"] = "toggle_lock", ["75"] = "toggle_guest_mute", ["77"] = "end_conference" }, true, out var problem);
        Assert.Null(problem);
        Assert.True(custom.Enabled);
        // The seed's warning (L8161–8167): "5775" with its first digit lost arrives as "775" and reads as 77.
        Assert.Equal([DtmfCommand.EndConference], new DtmfCommandCollector(custom, _clock).Add("775"));

        Assert.False(DtmfConferenceControl.FromTheme(new Dictionary<string, string> { ["*77"] = "toggle_lock" }, true, out problem).Enabled);
        Assert.NotNull(problem);
        Assert.False(DtmfConferenceControl.FromTheme(new Dictionary<string, string> { ["*7"] = "toggle_lock", ["*8"] = "toggle_lock" }, true, out problem).Enabled);
        Assert.False(DtmfConferenceControl.FromTheme(new Dictionary<string, string> { ["*7"] = "lock_it" }, true, out problem).Enabled);
        Assert.False(DtmfConferenceControl.FromTheme(new Dictionary<string, string> { ["*7"] = "toggle_lock" }, false, out problem).Enabled);
        Assert.Null(problem);
        Assert.Empty(new DtmfCommandCollector(DtmfConferenceControl.Disabled, _clock).Add("*7##"));
    }
}
