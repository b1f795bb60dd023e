using ConferenceCluster.LoadTest.Audio;
using ConferenceCluster.LoadTest.Participants;
using ConferenceCluster.LoadTest.Reporting;
using ConferenceCluster.Media.Codecs.G711;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>The mix check's parts without a network: tone detection through G.711, and the judgement against who was talking.</summary>
public class MixCheckTests
{
    private static readonly int[] Talkers = [ToneFrequencyPlan.FrequencyOf(0), ToneFrequencyPlan.FrequencyOf(1), ToneFrequencyPlan.FrequencyOf(2)];

    /// <summary>Sums the given talkers' pre-encoded frames the way a mixer would, and re-encodes the sum as G.711 µ-law.</summary>
    private static byte[] MixedFrame(params int[] tones)
    {
        var sum = new int[PcmuFrames.SamplesPerFrame];
        var pcm = new short[PcmuFrames.SamplesPerFrame];
        foreach (var tone in tones)
        {
            G711MuLaw.Decode(PcmuFrames.Tone(tone), pcm);
            for (var i = 0; i < sum.Length; i++) sum[i] += pcm[i];
        }
        var mixed = sum.Select(s => (short)Math.Clamp(s, short.MinValue, short.MaxValue)).ToArray();
        var frame = new byte[PcmuFrames.SamplesPerFrame];
        G711MuLaw.Encode(mixed, frame);
        return frame;
    }

    private static ToneWindow Listen(byte[] frame)
    {
        var analyzer = new ToneWindowAnalyzer(Talkers, PcmuFrames.SampleRate, SimulatedParticipant.WindowSamples, 0.3 * PcmuFrames.ToneAmplitude, 0.05 * PcmuFrames.ToneAmplitude);
        var pcm = new short[PcmuFrames.SamplesPerFrame];
        G711MuLaw.Decode(frame, pcm);
        ToneWindow? window = null;
        for (var f = 0; f < SimulatedParticipant.WindowSamples / PcmuFrames.SamplesPerFrame; f++) window = analyzer.Add(pcm) ?? window;
        return Assert.NotNull(window);
    }

    [Fact]
    public void Every_talker_in_a_G711_mix_is_found_and_a_missing_one_is_clearly_absent()
    {
        var window = Listen(MixedFrame(Talkers[0], Talkers[2]));

        Assert.Equal(0b101u, window.Present);
        Assert.Equal(0u, window.Ambiguous);
    }

    [Fact]
    public void Silence_has_no_tone_and_a_partial_window_after_a_reset_yields_nothing()
    {
        Assert.Equal(new ToneWindow(0, 0), Listen(PcmuFrames.Silence));

        var analyzer = new ToneWindowAnalyzer(Talkers, PcmuFrames.SampleRate, SimulatedParticipant.WindowSamples, 1000, 200);
        var pcm = new short[PcmuFrames.SamplesPerFrame];
        Assert.Null(analyzer.Add(pcm));
        analyzer.Reset();
        for (var f = 0; f < SimulatedParticipant.WindowSamples / PcmuFrames.SamplesPerFrame - 1; f++) Assert.Null(analyzer.Add(pcm));
        Assert.NotNull(analyzer.Add(pcm)); // a whole window after the reset, not before
    }

    [Fact]
    public void Talker_tones_are_distinct_multiples_of_50_Hz_inside_the_telephony_band()
    {
        var all = Enumerable.Range(0, ToneFrequencyPlan.Count).Select(ToneFrequencyPlan.FrequencyOf).ToList();

        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, f => Assert.InRange(f, 300, 3400));
        Assert.All(all, f => Assert.Equal(0, f % 50));
    }

    private static readonly MixEvaluator Evaluator = new(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(400));

    private static HeardWindow At(double endMs, uint present, uint ambiguous = 0) => new(endMs, new ToneWindow(present, ambiguous));

    private static IReadOnlyList<MediaSession> InFrom(double startMs) => [new MediaSession { StartMs = startMs }];

    [Fact]
    public void A_window_is_right_when_exactly_the_talkers_in_are_heard_and_the_listener_is_not()
    {
        // Talkers 0 and 1 in from 0 ms; talker 2 never joined. The listener is talker 1.
        IReadOnlyList<IReadOnlyList<TalkerPresence>> talkers = [[new(0, null)], [new(0, null)], []];

        var right = Evaluator.Judge(talkers, 1, InFrom(0), [At(5000, 0b001)]);
        var heardItself = Evaluator.Judge(talkers, 1, InFrom(0), [At(5000, 0b011)]);
        var missing = Evaluator.Judge(talkers, 1, InFrom(0), [At(5000, 0b000)]);
        var ghost = Evaluator.Judge(talkers, 1, InFrom(0), [At(5000, 0b101)]);
        var unsure = Evaluator.Judge(talkers, 1, InFrom(0), [At(5000, 0b001, ambiguous: 0b100)]);

        Assert.Equal(new MixEvaluator.Verdict(1, 1, 0, 0, 0), right);
        Assert.Equal(new MixEvaluator.Verdict(1, 0, 0, 0, 1), heardItself);
        Assert.Equal(new MixEvaluator.Verdict(1, 0, 1, 0, 0), missing);
        Assert.Equal(new MixEvaluator.Verdict(1, 0, 0, 1, 0), ghost);
        Assert.Equal(new MixEvaluator.Verdict(1, 0, 0, 1, 0), unsure);
    }

    [Fact]
    public void Talkers_joining_or_leaving_around_a_window_and_the_listeners_own_first_second_are_not_judged()
    {
        // Talker 0 joins at 3000 ms and leaves at 8000 ms; the listener (slot 5, a non-talker) is in from 0.
        IReadOnlyList<IReadOnlyList<TalkerPresence>> talkers = [[new(3000, 8000)]];

        Assert.Equal(0, Evaluator.Judge(talkers, 5, InFrom(0), [At(3500, 0)]).WindowsJudged);       // joining: either is fine
        Assert.Equal(1, Evaluator.Judge(talkers, 5, InFrom(0), [At(4500, 0)]).MissingTalker);       // in for > settle: must be heard
        Assert.Equal(0, Evaluator.Judge(talkers, 5, InFrom(0), [At(8800, 0b1)]).WindowsJudged);     // just left: fading out
        Assert.Equal(1, Evaluator.Judge(talkers, 5, InFrom(0), [At(9900, 0b1)]).UnexpectedTalker);  // long gone: must be silent
        Assert.Equal(0, Evaluator.Judge(talkers, 5, InFrom(4000), [At(4500, 0b1)]).WindowsJudged);  // the listener is still settling
    }
}
