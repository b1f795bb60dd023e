using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Support;
using static ConferenceCluster.Media.Tests.Mixing.MixerTestKit;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>
/// What backplane participants hear and how they are mixed: always, outside speaker selection; local ones hear
/// mix-minus, geo ones the split-horizon mix (everything but the geo inputs).
/// </summary>
public sealed class BackplaneMixingTests
{
    private static (ConferenceMixer Mixer, RecordingEncoderFactory Encoders) CreateMixer(int maxMixedSpeakers = 4)
    {
        var encoders = new RecordingEncoderFactory();
        var mixer = new ConferenceMixer(new ConferenceMixerOptions { MaxMixedSpeakers = maxMixedSpeakers, EncoderFactory = encoders.Create });
        return (mixer, encoders);
    }

    [Fact]
    public void A_geo_backplane_never_hears_another_geo_input_but_everything_else()
    {
        var (mixer, _) = CreateMixer();
        mixer.AddParticipant(P(1), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(2), EncoderProfile.L16, MixRole.LocalBackplane);
        mixer.AddParticipant(P(3), EncoderProfile.OpusBackplane, MixRole.GeoBackplane);
        mixer.AddParticipant(P(4), EncoderProfile.OpusBackplane, MixRole.GeoBackplane);
        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(20));
        mixer.SubmitFrame(P(3), Level(300));
        mixer.SubmitFrame(P(4), Level(4000));

        MixTickResult tick = mixer.Mix();

        Assert.Equal(4, tick.MixedVoices);
        foreach (MixerParticipantId geo in new[] { P(3), P(4) })
        {
            MixOutput output = OutputOf(tick, geo);
            Assert.Equal(MixOutputKind.SplitHorizon, output.Kind);
            Assert.Equal(geo, output.MixMinusOf);
            Assert.Equal(2, output.VoiceCount);
            Assert.All(output.MixPcm.ToArray(), sample => Assert.Equal(1020, sample)); // endpoint + local backplane only
        }

        Assert.NotSame(OutputOf(tick, P(3)), OutputOf(tick, P(4))); // one stream per link
        Assert.All(OutputOf(tick, P(2)).MixPcm.ToArray(), sample => Assert.Equal(5300, sample)); // plain mix-minus
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(4320, sample));
    }

    [Fact]
    public void A_geo_backplane_hears_the_split_horizon_mix_even_when_geo_inputs_would_saturate_the_full_mix()
    {
        var (mixer, _) = CreateMixer();
        mixer.AddParticipant(P(1), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(2), EncoderProfile.OpusBackplane, MixRole.GeoBackplane);
        mixer.AddParticipant(P(3), EncoderProfile.OpusBackplane, MixRole.GeoBackplane);
        mixer.SubmitFrame(P(1), Level(-5000));
        mixer.SubmitFrame(P(2), Level(30_000));
        mixer.SubmitFrame(P(3), Level(30_000));

        MixTickResult tick = mixer.Mix();

        // The split-horizon bus is taken before the geo inputs are added, so it is exact, not bus − clipped geo.
        Assert.All(OutputOf(tick, P(2)).MixPcm.ToArray(), sample => Assert.Equal(-5000, sample));
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(short.MaxValue, sample));
    }

    [Fact]
    public void Endpoints_hear_backplane_inputs_even_when_more_than_N_endpoints_speak()
    {
        var (mixer, _) = CreateMixer(maxMixedSpeakers: 2);
        for (int i = 1; i <= 5; i++)
        {
            mixer.AddParticipant(P(i), EncoderProfile.OpusVoice);
        }

        mixer.AddParticipant(P(6), EncoderProfile.L16, MixRole.LocalBackplane);
        mixer.AddParticipant(P(7), EncoderProfile.OpusBackplane, MixRole.GeoBackplane);
        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(2000));
        mixer.SubmitFrame(P(3), Level(4000));
        mixer.SubmitFrame(P(4), Level(8000));
        mixer.SubmitFrame(P(6), Level(3));
        mixer.SubmitFrame(P(7), Level(5));

        MixTickResult tick = mixer.Mix();

        Assert.Equal([P(4), P(3)], SpeakerSet(tick));
        Assert.Equal(4, tick.MixedVoices);
        Assert.All(OutputOf(tick, P(5)).MixPcm.ToArray(), sample => Assert.Equal(12_008, sample));
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(12_008, sample)); // not selected: full mix
        Assert.All(OutputOf(tick, P(4)).MixPcm.ToArray(), sample => Assert.Equal(4008, sample));
    }

    [Fact]
    public void Backplanes_bypass_speaker_selection_even_below_the_silence_threshold()
    {
        var (mixer, _) = CreateMixer(maxMixedSpeakers: 1);
        mixer.AddParticipant(P(1), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(2), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(3), EncoderProfile.L16, MixRole.LocalBackplane);
        mixer.AddParticipant(P(4), EncoderProfile.L16, MixRole.LocalBackplane);
        for (int i = 0; i < 3; i++)
        {
            mixer.SubmitFrame(P(1), Level(8000));
            mixer.SubmitFrame(P(2), Level(8000)); // loses the single seat to P1 (join order)
            mixer.SubmitFrame(P(3), Level(2)); // −84 dBFS: far below the −50 dBFS an endpoint needs
            mixer.SubmitFrame(P(4), Level(20_000)); // louder than any endpoint, still takes no seat

            MixTickResult tick = mixer.Mix();

            Assert.Equal([P(1)], SpeakerSet(tick));
            Assert.False(mixer.IsInSpeakerSet(P(3)));
            Assert.False(mixer.IsInSpeakerSet(P(4)));
            Assert.All(OutputOf(tick, P(2)).MixPcm.ToArray(), sample => Assert.Equal(28_002, sample));
            Assert.All(OutputOf(tick, P(3)).MixPcm.ToArray(), sample => Assert.Equal(28_000, sample));
            Assert.All(OutputOf(tick, P(4)).MixPcm.ToArray(), sample => Assert.Equal(8002, sample));
        }
    }

    [Fact]
    public void Every_backplane_gets_its_own_encode_every_tick_and_joins_no_codec_group()
    {
        var (mixer, encoders) = CreateMixer();
        mixer.AddParticipant(P(1), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(2), EncoderProfile.L16, MixRole.LocalBackplane);
        mixer.AddParticipant(P(3), EncoderProfile.L16, MixRole.LocalBackplane);
        mixer.AddParticipant(P(4), EncoderProfile.OpusBackplane, MixRole.GeoBackplane);

        Assert.Equal(1, mixer.CodecGroupCount);
        Assert.Equal(3, mixer.BackplaneCount);
        Assert.Equal(5, encoders.Created.Count); // the endpoint's own + its group's + one per backplane

        MixTickResult silent = mixer.Mix(); // nobody sent anything: backplanes still get a (silent) frame
        Assert.Equal(4, silent.EncodeCount); // three backplanes + the endpoint's group
        foreach (MixerParticipantId backplane in new[] { P(2), P(3), P(4) })
        {
            Assert.Equal(1, OutputOf(silent, backplane).Tick);
        }

        Assert.Equal(MixOutputKind.MixMinus, OutputOf(silent, P(2)).Kind);

        Assert.True(mixer.RemoveParticipant(P(3)));
        Assert.True(mixer.RemoveParticipant(P(4)));
        Assert.Equal(1, mixer.BackplaneCount);
        Assert.Equal(1, mixer.CodecGroupCount);
        Assert.Equal(2, encoders.Created.Count(encoder => encoder.Disposed));
        mixer.SubmitFrame(P(2), Level(7));
        MixTickResult tick = mixer.Mix();
        Assert.Equal(2, tick.EncodeCount);
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(7, sample));
    }

    [Fact]
    public void A_role_that_is_not_defined_is_refused()
    {
        var (mixer, _) = CreateMixer();
        Assert.Throws<ArgumentOutOfRangeException>(() => mixer.AddParticipant(P(1), EncoderProfile.L16, (MixRole)42));
        Assert.Equal(0, mixer.ParticipantCount);
    }
}
