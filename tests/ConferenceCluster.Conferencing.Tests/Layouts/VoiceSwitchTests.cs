using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Conferencing.Tests.Layouts;

/// <summary>
/// Voice switching (the main position "voice-switched, showing the current speaker", L5506) with hysteresis in time,
/// driven by explicit timestamps.
/// </summary>
public sealed class VoiceSwitchTests
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void A_voice_takes_the_floor_only_after_being_loudest_for_the_switch_delay()
    {
        var voice = new VoiceSwitch(Ms(1000));
        Assert.False(voice.Observe(Ms(0), "A"));
        Assert.False(voice.Observe(Ms(999), "A"));
        Assert.Null(voice.CurrentSpeaker);
        Assert.True(voice.Observe(Ms(1000), "A"));
        Assert.Equal("A", voice.CurrentSpeaker);
    }

    [Fact]
    public void An_interruption_or_a_short_burst_does_not_switch_and_silence_keeps_the_speaker()
    {
        var voice = new VoiceSwitch(Ms(1000));
        voice.TakeFloor("A");
        voice.Observe(Ms(0), "B");
        voice.Observe(Ms(600), "A"); // A is loudest again: B's run is broken
        voice.Observe(Ms(700), "B");
        Assert.False(voice.Observe(Ms(1600), "B")); // 900 ms since B's run restarted
        voice.Observe(Ms(1650), null); // a pause
        Assert.False(voice.Observe(Ms(2700), "B")); // the pause broke B's run as well: it starts again at 2700
        Assert.Equal("A", voice.CurrentSpeaker);
        Assert.True(voice.Observe(Ms(3700), "B"));
        Assert.Equal(["B", "A"], voice.Recency);
    }

    [Fact]
    public void The_order_is_most_recent_speaker_first_and_a_leaver_drops_out_L7178()
    {
        var voice = new VoiceSwitch(TimeSpan.Zero);
        foreach (string speaker in new[] { "A", "B", "C", "A" })
        {
            voice.Observe(Ms(0), speaker);
        }

        Assert.Equal(["A", "C", "B"], voice.Recency);
        long version = voice.Version;
        voice.Forget("A");
        Assert.Equal("C", voice.CurrentSpeaker); // the previous speaker is current again
        Assert.True(voice.Version > version);
    }
}
