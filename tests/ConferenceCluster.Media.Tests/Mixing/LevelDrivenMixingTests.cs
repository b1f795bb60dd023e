using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Support;
using static ConferenceCluster.Media.Tests.Mixing.MixerTestKit;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>
/// The mixer given frames by their RFC 6464 level: it decodes only whom it mixes (and a few audits), and a sender
/// whose level lies can neither hold the floor nor hide.
/// </summary>
public sealed class LevelDrivenMixingTests
{
    /// <summary>The media layer's stand-in: a frame per participant (a constant "voice" or silence), decodes counted.</summary>
    private sealed class FakeStreams : IPendingFrameDecoder
    {
        public Dictionary<int, short> Voice { get; } = [];

        public Dictionary<int, int> Decodes { get; } = [];

        public Dictionary<int, long> DistrustedUntil { get; } = [];

        public bool DecodePendingFrame(MixerParticipantId id, Span<short> frame)
        {
            Decodes[id.Value] = Decodes.GetValueOrDefault(id.Value) + 1;
            frame.Fill(Voice.GetValueOrDefault(id.Value));
            return true;
        }

        public void OnLevelsDistrusted(MixerParticipantId id, long untilTick) => DistrustedUntil[id.Value] = untilTick;
    }

    private static readonly AudioLevel Loud = new(10, true);   // −10 dBov
    private static readonly AudioLevel Quiet = new(127, false); // digital silence

    [Fact]
    public void The_loudest_are_chosen_by_level_and_only_they_are_decoded()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 200);
        var streams = new FakeStreams();
        foreach (int talker in new[] { 7, 70, 140 })
        {
            streams.Voice[talker] = 8000;
        }

        const int Ticks = 50;
        MixTickResult tick = default;
        for (int t = 0; t < Ticks; t++)
        {
            for (int p = 1; p <= 200; p++)
            {
                mixer.SubmitLevel(P(p), streams.Voice.ContainsKey(p) ? Loud : Quiet);
            }

            tick = mixer.Mix(streams);
        }

        Assert.Equal([P(7), P(70), P(140)], SpeakerSet(tick).OrderBy(p => p.Value));
        Assert.Equal(3, tick.MixedVoices);
        // A listener hears the three voices (8000 each), a talker the other two.
        Assert.Equal(24000, OutputOf(tick, P(1)).MixPcm[0]);
        Assert.Equal(16000, OutputOf(tick, P(70)).MixPcm[0]);
        // Each talker decoded once per tick; of the 197 quiet ones only the one audit per tick: 50 in all.
        Assert.All(new[] { 7, 70, 140 }, talker => Assert.Equal(Ticks, streams.Decodes[talker]));
        int quietDecodes = streams.Decodes.Where(d => !streams.Voice.ContainsKey(d.Key)).Sum(d => d.Value);
        Assert.Equal(Ticks * new ConferenceMixerOptions().LevelAuditsPerTick, quietDecodes);
        Assert.Equal(Ticks * 4, mixer.PendingDecodes);
        Assert.Equal(0, mixer.LevelsDistrusted);
        mixer.Dispose();
    }

    [Fact]
    public void A_sender_claiming_loud_while_sending_silence_cannot_hold_the_floor_or_starve_a_real_talker()
    {
        // One slot, so the liar and the real talker compete for it. The liar claims 0 dBov on every packet.
        var (mixer, _) = CreateRecordingMixer(participants: 3, maxMixedSpeakers: 1);
        var streams = new FakeStreams { Voice = { [2] = 6000 } }; // p1 lies (silent payload), p2 really talks
        var liarMixed = 0;
        var talkerMixedAfterwards = 0;
        for (int t = 0; t < 100; t++)
        {
            mixer.SubmitLevel(P(1), new AudioLevel(0, true));
            mixer.SubmitLevel(P(2), new AudioLevel(25, true));
            mixer.SubmitLevel(P(3), Quiet);
            MixerParticipantId[] set = SpeakerSet(mixer.Mix(streams));
            liarMixed += set.Contains(P(1)) ? 1 : 0;
            talkerMixedAfterwards += t >= 50 && set.Contains(P(2)) ? 1 : 0;
        }

        Assert.False(mixer.TrustsLevels(P(1)));
        Assert.True(streams.DistrustedUntil.ContainsKey(1));
        Assert.True(mixer.TrustsLevels(P(2)));
        // Strikes (5) plus one hold time (10) at most, then never again while distrusted.
        Assert.InRange(liarMixed, 1, new ConferenceMixerOptions().LevelLieStrikes + new ConferenceMixerOptions().MinimumHoldTicks);
        Assert.Equal(50, talkerMixedAfterwards);
        Assert.Equal(1, mixer.LevelsDistrusted);
        mixer.Dispose();
    }

    [Fact]
    public void A_sender_claiming_silence_while_talking_is_found_by_the_audit_and_then_heard()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 20);
        var streams = new FakeStreams { Voice = { [13] = 9000 } }; // p13 always claims silence
        int found = -1;
        for (int t = 0; t < 40 && found < 0; t++)
        {
            for (int p = 1; p <= 20; p++)
            {
                mixer.SubmitLevel(P(p), Quiet);
            }

            mixer.Mix(streams);
            if (!mixer.TrustsLevels(P(13)))
            {
                found = t;
            }
        }

        // Round robin over 20 participants, one audit per tick: found within one round.
        Assert.InRange(found, 0, 20);
        Assert.Equal(1, mixer.LevelsDistrusted);
        // From now on the media layer decodes it like a sender without levels: it competes with its real level.
        for (int t = 0; t < 3; t++)
        {
            for (int p = 1; p <= 20; p++)
            {
                if (p == 13)
                {
                    mixer.SubmitFrame(P(p), Level(9000));
                }
                else
                {
                    mixer.SubmitLevel(P(p), Quiet);
                }
            }

            mixer.Mix(streams);
        }

        Assert.True(mixer.IsInSpeakerSet(P(13)));
        mixer.Dispose();
    }

    [Fact]
    public void Levels_and_decoded_frames_mix_in_one_conference()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 4);
        var streams = new FakeStreams { Voice = { [1] = 1000 } };
        mixer.SubmitLevel(P(1), Loud);          // a WebRTC leg with levels
        mixer.SubmitFrame(P(2), Level(2000));   // a SIP phone without
        mixer.SubmitLevel(P(3), Quiet);
        MixTickResult tick = mixer.Mix(streams);
        Assert.Equal(3000, OutputOf(tick, P(4)).MixPcm[0]);
        Assert.Equal(2000, OutputOf(tick, P(1)).MixPcm[0]);
        Assert.Throws<InvalidOperationException>(() =>
        {
            mixer.SubmitLevel(P(1), Loud);
            mixer.SubmitFrame(P(1), Level(5));
        });
        mixer.Dispose();
    }
}
