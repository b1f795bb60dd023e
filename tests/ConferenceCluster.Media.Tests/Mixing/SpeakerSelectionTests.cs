using ConferenceCluster.Media.Mixing;
using static ConferenceCluster.Media.Tests.Mixing.MixerTestKit;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>N-loudest selection, its hysteresis (margin, hold time, slow release) and silence handling.</summary>
public sealed class SpeakerSelectionTests
{
    [Fact]
    public void Only_the_N_loudest_are_mixed()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 6, maxMixedSpeakers: 3);
        for (int i = 1; i <= 6; i++)
        {
            mixer.SubmitFrame(P(i), Level((short)(i * 1000)));
        }

        MixTickResult tick = mixer.Mix();

        Assert.Equal([P(4), P(5), P(6)], SpeakerSet(tick).OrderBy(id => id.Value));
        Assert.Equal(3, tick.MixedVoices);
        // The quiet three hear the full mix of the loud three; their own voices are in nobody's mix.
        MixOutput shared = OutputOf(tick, P(1));
        Assert.Same(shared, OutputOf(tick, P(3)));
        Assert.All(shared.MixPcm.ToArray(), sample => Assert.Equal(15_000, sample));
        Assert.All(OutputOf(tick, P(6)).MixPcm.ToArray(), sample => Assert.Equal(9000, sample));
    }

    [Fact]
    public void Similar_voices_trading_places_do_not_make_the_set_flap()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 2, maxMixedSpeakers: 1);
        var seen = new HashSet<MixerParticipantId>();
        for (int t = 0; t < 200; t++)
        {
            // 1.6 dB apart, alternating which one is louder every tick.
            bool odd = t % 2 == 1;
            mixer.SubmitFrame(P(1), Level(odd ? (short)1200 : (short)1000));
            mixer.SubmitFrame(P(2), Level(odd ? (short)1000 : (short)1200));
            seen.UnionWith(SpeakerSet(mixer.Mix()));
        }

        Assert.Equal([P(2)], seen); // P(2) was louder on the first tick and is never displaced
    }

    [Fact]
    public void A_challenger_within_the_margin_does_not_displace_and_one_beyond_it_does()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 2, maxMixedSpeakers: 1, switchMarginDb: 3.0);
        mixer.SubmitFrame(P(1), Level(1000));
        Assert.Equal([P(1)], SpeakerSet(mixer.Mix()));
        for (int t = 0; t < 50; t++)
        {
            mixer.SubmitFrame(P(1), Level(1000));
            mixer.SubmitFrame(P(2), Level(1400)); // +2.9 dB
            Assert.Equal([P(1)], SpeakerSet(mixer.Mix()));
        }

        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(1420)); // +3.05 dB
        Assert.Equal([P(2)], SpeakerSet(mixer.Mix()));
    }

    [Fact]
    public void A_much_louder_voice_waits_for_the_incumbents_hold_time()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 2, maxMixedSpeakers: 1, minimumHoldTicks: 10);
        var setPerTick = new List<MixerParticipantId>();
        for (int t = 1; t <= 15; t++)
        {
            mixer.SubmitFrame(P(1), Level(1000));
            if (t >= 3)
            {
                mixer.SubmitFrame(P(2), Level(20_000)); // +26 dB from tick 3 on
            }

            setPerTick.Add(Assert.Single(SpeakerSet(mixer.Mix())));
        }

        // P(1) entered on tick 1 and may be displaced once it has been in the set for 10 ticks: on tick 11.
        Assert.All(setPerTick.Take(10), id => Assert.Equal(P(1), id));
        Assert.All(setPerTick.Skip(10), id => Assert.Equal(P(2), id));
    }

    [Fact]
    public void A_silent_conference_mixes_nothing_and_encodes_once_per_group()
    {
        var (mixer, encoders) = CreateRecordingMixer(participants: 3);
        MixTickResult tick = mixer.Mix();

        Assert.Empty(SpeakerSet(tick));
        Assert.Equal(0, tick.MixedVoices);
        Assert.Equal(1, tick.EncodeCount);
        MixOutput shared = OutputOf(tick, P(1));
        Assert.Same(shared, OutputOf(tick, P(2)));
        Assert.Same(shared, OutputOf(tick, P(3)));
        Assert.All(shared.MixPcm.ToArray(), sample => Assert.Equal(0, sample));
        Assert.Equal(1, encoders.TotalEncodes);
    }

    [Fact]
    public void Frames_below_the_silence_threshold_never_enter_the_set()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 3);
        for (int t = 0; t < 20; t++)
        {
            mixer.SubmitFrame(P(1), Level(80));   // −52 dBFS: background noise, under the −50 dBFS default
            mixer.SubmitFrame(P(2), Level(-80));
            MixTickResult tick = mixer.Mix();
            Assert.Empty(SpeakerSet(tick));
            Assert.All(OutputOf(tick, P(3)).MixPcm.ToArray(), sample => Assert.Equal(0, sample));
        }

        mixer.SubmitFrame(P(1), Level(120)); // −48.7 dBFS
        Assert.Equal([P(1)], SpeakerSet(mixer.Mix()));
    }

    [Fact]
    public void A_speaker_that_falls_silent_keeps_its_slot_while_its_level_decays_then_leaves()
    {
        // −20 dBFS, then nothing: the level falls 0.5 dB per tick and crosses −50 dBFS after about 60 ticks.
        var (mixer, _) = CreateRecordingMixer(participants: 2);
        mixer.SubmitFrame(P(1), Level(3277));
        mixer.SubmitFrame(P(2), Level(1000));
        Assert.Equal([P(1), P(2)], SpeakerSet(mixer.Mix()));

        for (int silentTicks = 1; silentTicks <= 55; silentTicks++)
        {
            mixer.SubmitFrame(P(2), Level(1000));
            MixTickResult tick = mixer.Mix();
            Assert.Contains(P(1), SpeakerSet(tick));
            // Still a member: its own encoder carries on with what is now simply the full mix (P(2)'s voice).
            MixOutput own = OutputOf(tick, P(1));
            Assert.Equal(MixOutputKind.MixMinus, own.Kind);
            Assert.All(own.MixPcm.ToArray(), sample => Assert.Equal(1000, sample));
            Assert.Equal(2, tick.EncodeCount);
        }

        for (int silentTicks = 56; silentTicks <= 65; silentTicks++)
        {
            mixer.SubmitFrame(P(2), Level(1000));
            mixer.Mix();
        }

        Assert.False(mixer.IsInSpeakerSet(P(1)));
        Assert.True(mixer.IsInSpeakerSet(P(2)));
        MixTickResult after = mixer.Mix();
        Assert.Equal(MixOutputKind.FullMix, OutputOf(after, P(1)).Kind);
    }

    [Fact]
    public void Everybody_is_mixed_when_N_covers_the_conference()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 10, maxMixedSpeakers: 10);
        for (int i = 1; i <= 10; i++)
        {
            mixer.SubmitFrame(P(i), Level(1000));
        }

        MixTickResult tick = mixer.Mix();
        Assert.Equal(10, tick.MixedVoices);
        Assert.Equal(10, tick.EncodeCount); // like Janus: one encode per participant when everyone is mixed
        Assert.All(tick.ListenerOutputs.ToArray(), output => Assert.All(output.Output.MixPcm.ToArray(), sample => Assert.Equal(9000, sample)));
    }
}
