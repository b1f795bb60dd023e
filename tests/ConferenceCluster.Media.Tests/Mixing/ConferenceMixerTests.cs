using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Tests.Support;
using static ConferenceCluster.Media.Tests.Mixing.MixerTestKit;

namespace ConferenceCluster.Media.Tests.Mixing;

/// <summary>Mix arithmetic (mix-minus, saturation), shared encodes per codec group, and the API contract.</summary>
public sealed class ConferenceMixerTests
{
    [Fact]
    public void Each_speaker_hears_exactly_the_sum_of_the_others()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 4);
        var random = new Random(42);
        // ±6000 per voice: four voices cannot reach int16 limits, so no saturation is involved.
        short[][] frames = Enumerable.Range(0, 4).Select(_ => Signals.Random(random, FrameSamples, -6000, 6000)).ToArray();
        for (int i = 0; i < 4; i++)
        {
            mixer.SubmitFrame(P(i + 1), frames[i]);
        }

        MixTickResult tick = mixer.Mix();

        Assert.Equal(4, tick.MixedVoices);
        for (int listener = 0; listener < 4; listener++)
        {
            MixOutput output = OutputOf(tick, P(listener + 1));
            Assert.Equal(MixOutputKind.MixMinus, output.Kind);
            Assert.Equal(P(listener + 1), output.MixMinusOf);
            Assert.Equal(3, output.VoiceCount);
            var expected = new short[FrameSamples];
            for (int s = 0; s < FrameSamples; s++)
            {
                int sum = 0;
                for (int other = 0; other < 4; other++)
                {
                    sum += other == listener ? 0 : frames[other][s];
                }

                expected[s] = (short)sum;
            }

            Assert.Equal(expected, output.MixPcm.ToArray());
        }
    }

    [Fact]
    public void Listeners_outside_the_speaker_set_share_the_full_mix()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 5);
        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(2000));
        mixer.SubmitFrame(P(3), Level(4000));

        MixTickResult tick = mixer.Mix();

        MixOutput shared = OutputOf(tick, P(4));
        Assert.Same(shared, OutputOf(tick, P(5)));
        Assert.Equal(MixOutputKind.FullMix, shared.Kind);
        Assert.Null(shared.MixMinusOf);
        Assert.Equal(3, shared.VoiceCount);
        Assert.All(shared.MixPcm.ToArray(), sample => Assert.Equal(7000, sample));
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(6000, sample));
        Assert.All(OutputOf(tick, P(3)).MixPcm.ToArray(), sample => Assert.Equal(3000, sample));
        Assert.Equal([P(1), P(2), P(3), P(4), P(5)], tick.ListenerOutputs.ToArray().Select(output => output.Listener));
    }

    [Fact]
    public void Output_saturates_at_int16_limits_but_the_bus_stays_exact()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 4);
        mixer.SubmitFrame(P(1), Level(30_000));
        mixer.SubmitFrame(P(2), Level(30_000));
        mixer.SubmitFrame(P(3), Level(-30_000));
        MixTickResult tick = mixer.Mix();

        // The bus holds 30000 exactly even though a running int16 sum would have clipped at 60000.
        Assert.All(OutputOf(tick, P(4)).MixPcm.ToArray(), sample => Assert.Equal(30_000, sample));
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(0, sample));
        Assert.All(OutputOf(tick, P(3)).MixPcm.ToArray(), sample => Assert.Equal(short.MaxValue, sample));

        mixer.SubmitFrame(P(1), Level(-30_000));
        mixer.SubmitFrame(P(2), Level(-30_000));
        mixer.SubmitFrame(P(3), Level(-30_000));
        tick = mixer.Mix();
        Assert.All(OutputOf(tick, P(4)).MixPcm.ToArray(), sample => Assert.Equal(short.MinValue, sample));
        Assert.All(OutputOf(tick, P(1)).MixPcm.ToArray(), sample => Assert.Equal(short.MinValue, sample));
    }

    [Fact]
    public void Encodes_per_tick_are_speakers_plus_codec_groups_not_participants()
    {
        var encoders = new RecordingEncoderFactory();
        using var mixer = new ConferenceMixer(new ConferenceMixerOptions { EncoderFactory = encoders.Create });
        for (int i = 1; i <= 20; i++)
        {
            mixer.AddParticipant(P(i), i % 2 == 0 ? EncoderProfile.Pcmu : EncoderProfile.OpusVoice);
        }

        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(2000));
        mixer.SubmitFrame(P(3), Level(3000));
        int before = encoders.TotalEncodes;

        MixTickResult tick = mixer.Mix();
        // Speakers' own outputs are encoded when their sender reads them (on the worker that sends them); shared
        // payloads once, however many listeners read them.
        Assert.Equal(2, encoders.TotalEncodes - before);
        foreach (ListenerOutput output in tick.ListenerOutputs)
        {
            _ = output.Output.EncodedPayload.Length;
            _ = output.Output.EncodedPayload.Length;
        }

        Assert.Equal(3 + 2, tick.EncodeCount);
        Assert.Equal(tick.EncodeCount, encoders.TotalEncodes - before);
        Assert.Equal(2, mixer.CodecGroupCount);
    }

    [Fact]
    public void A_group_whose_members_all_speak_does_not_encode_its_full_mix()
    {
        var (mixer, encoders) = CreateRecordingMixer(participants: 2);
        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(1000));
        MixTickResult tick = mixer.Mix();

        Assert.Equal(2, tick.EncodeCount);
        RecordingEncoder groupEncoder = encoders.Created[0]; // the group's encoder is created with its first member
        Assert.Equal(0, groupEncoder.EncodeCount);
    }

    [Fact]
    public void Real_codecs_non_speakers_share_one_payload_object_per_group_and_speakers_get_their_own()
    {
        using var mixer = new ConferenceMixer();
        EncoderProfile opusHighComplexity = EncoderProfile.ForOpus(complexity: 8);
        mixer.AddParticipant(P(1), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(2), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(3), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(4), EncoderProfile.OpusVoice);
        mixer.AddParticipant(P(5), EncoderProfile.Pcmu);
        mixer.AddParticipant(P(6), EncoderProfile.Pcmu);
        mixer.AddParticipant(P(7), EncoderProfile.Pcma);
        mixer.AddParticipant(P(8), opusHighComplexity);

        var speakerOneHeard = new List<short>();
        var listenerHeard = new List<short>();
        using var speakerOneDecoder = new OpusFrameDecoder();
        using var listenerDecoder = new OpusFrameDecoder();
        var decoded = new short[FrameSamples];
        const int Ticks = 50;
        for (int t = 0; t < Ticks; t++)
        {
            mixer.SubmitFrame(P(1), Signals.Sine(FrameSamples, 1000, 8000, AudioFormat.MixSampleRate, (long)t * FrameSamples));
            mixer.SubmitFrame(P(2), Signals.Sine(FrameSamples, 500, 8000, AudioFormat.MixSampleRate, (long)t * FrameSamples));
            MixTickResult tick = mixer.Mix();

            MixOutput speakerOne = OutputOf(tick, P(1));
            MixOutput speakerTwo = OutputOf(tick, P(2));
            MixOutput opusShared = OutputOf(tick, P(3));
            MixOutput pcmuShared = OutputOf(tick, P(5));
            Assert.Same(opusShared, OutputOf(tick, P(4)));
            Assert.Same(pcmuShared, OutputOf(tick, P(6)));
            MixOutput[] distinct = [speakerOne, speakerTwo, opusShared, pcmuShared, OutputOf(tick, P(7)), OutputOf(tick, P(8))];
            Assert.Equal(distinct.Length, distinct.Distinct(ReferenceEqualityComparer.Instance).Count());
            Assert.Equal(2 + 4, tick.EncodeCount);
            Assert.Equal(AudioFormat.NarrowbandFrameSamples, pcmuShared.EncodedPayload.Length);
            Assert.Equal(EncoderProfile.Pcma, OutputOf(tick, P(7)).Profile);
            Assert.Equal(opusHighComplexity, OutputOf(tick, P(8)).Profile);

            speakerOneDecoder.Decode(speakerOne.EncodedPayload, decoded);
            speakerOneHeard.AddRange(decoded);
            listenerDecoder.Decode(opusShared.EncodedPayload, decoded);
            listenerHeard.AddRange(decoded);
        }

        // What speaker 1 receives, decoded: speaker 2's 500 Hz, and not its own 1 kHz (the Janus anchor's mix check).
        ReadOnlySpan<short> heard = speakerOneHeard.ToArray().AsSpan(Ticks / 2 * FrameSamples);
        Assert.InRange(Signals.Db(Goertzel.Amplitude(heard, 500, AudioFormat.MixSampleRate) / 8000), -2, 2);
        Assert.True(Signals.Db(Goertzel.Amplitude(heard, 1000, AudioFormat.MixSampleRate) / 8000) < -40);
        // A listener hears both.
        ReadOnlySpan<short> full = listenerHeard.ToArray().AsSpan(Ticks / 2 * FrameSamples);
        Assert.InRange(Signals.Db(Goertzel.Amplitude(full, 500, AudioFormat.MixSampleRate) / 8000), -2, 2);
        Assert.InRange(Signals.Db(Goertzel.Amplitude(full, 1000, AudioFormat.MixSampleRate) / 8000), -2, 2);
    }

    [Fact]
    public void A_tick_allocates_nothing()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 20);
        using var realMixer = new ConferenceMixer();
        for (int i = 1; i <= 6; i++)
        {
            realMixer.AddParticipant(P(i), i <= 3 ? EncoderProfile.OpusVoice : EncoderProfile.Pcmu);
        }

        short[] voice = Signals.Sine(FrameSamples, 440, 5000, AudioFormat.MixSampleRate);
        void Tick()
        {
            for (int i = 1; i <= 5; i++)
            {
                mixer.SubmitFrame(P(i), voice);
                realMixer.SubmitFrame(P(i), voice);
            }

            mixer.Mix();
            realMixer.Mix();
        }

        for (int i = 0; i < 20; i++)
        {
            Tick();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            Tick();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Removing_participants_updates_the_set_and_releases_encoders()
    {
        var (mixer, encoders) = CreateRecordingMixer(participants: 3);
        mixer.AddParticipant(P(9), EncoderProfile.Pcmu);
        mixer.SubmitFrame(P(1), Level(1000));
        mixer.SubmitFrame(P(2), Level(2000));
        Assert.Equal([P(2), P(1)], SpeakerSet(mixer.Mix())); // in order of entry: the loudest first

        Assert.True(mixer.RemoveParticipant(P(2)));
        Assert.False(mixer.RemoveParticipant(P(2)));
        Assert.False(mixer.Contains(P(2)));
        mixer.SubmitFrame(P(1), Level(1000));
        MixTickResult tick = mixer.Mix();
        Assert.Equal([P(1)], SpeakerSet(tick));
        Assert.Equal(3, tick.ListenerOutputs.Length);

        // P(9) was the only PCMU listener: its own encoder and its group's go with it; P(2)'s went already.
        Assert.Equal(2, mixer.CodecGroupCount);
        Assert.True(mixer.RemoveParticipant(P(9)));
        Assert.Equal(1, mixer.CodecGroupCount);
        Assert.Equal(3, encoders.Created.Count(encoder => encoder.Disposed));

        mixer.Dispose();
        Assert.All(encoders.Created, encoder => Assert.True(encoder.Disposed));
        Assert.Throws<ObjectDisposedException>(() => mixer.Mix());
    }

    [Fact]
    public void Misuse_gets_clear_exceptions()
    {
        var (mixer, _) = CreateRecordingMixer(participants: 2);
        Assert.Throws<ArgumentException>(() => mixer.AddParticipant(P(1), EncoderProfile.OpusVoice));
        Assert.Throws<ArgumentException>(() => mixer.AddParticipant(P(3), default));
        Assert.Throws<ArgumentException>(() => mixer.SubmitFrame(P(7), Level(1)));
        Assert.Throws<ArgumentException>(() => mixer.SubmitFrame(P(1), new short[480]));
        mixer.SubmitFrame(P(1), Level(1));
        Assert.Throws<InvalidOperationException>(() => mixer.SubmitFrame(P(1), Level(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConferenceMixer(new ConferenceMixerOptions { MaxMixedSpeakers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConferenceMixer(new ConferenceMixerOptions { FrameSamples = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EncoderProfile.ForOpus(complexity: 11));
    }
}
