using ConferenceCluster.LoadTest.Participants;
using ConferenceCluster.LoadTest.Reporting;
using ConferenceCluster.LoadTest.Running;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>Talking in turns, and the mix check that follows the turns (pure: no clock, no sockets).</summary>
public class TalkScheduleTests
{
    private static LoadTestOptions Turns(int participants, int talkers = 3) => new()
    {
        Participants = participants,
        Conferences = 1,
        TalkersPerConference = talkers,
        TalkPattern = TalkPattern.Turns,
        TurnLength = TimeSpan.FromSeconds(10),
        Targets = [new SipTarget("default", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5060))],
    };

    [Fact]
    public void In_turns_k_talk_at_a_time_each_with_its_own_tone_and_everyone_gets_a_turn()
    {
        var options = Turns(10);
        var plans = RunPlanner.PlanParticipants(options);
        var schedule = new TalkSchedule(options, plans);
        var talked = new HashSet<int>();
        for (var turn = 0; turn < 10; turn++)
        {
            var now = turn * 10_000 + 5_000.0;
            var tones = plans.Select(p => (p.Index, Tone: schedule.ToneAt(p, now))).Where(t => t.Tone >= 0).ToList();
            Assert.Equal([0, 1, 2], tones.Select(t => t.Tone).Order());
            talked.UnionWith(tones.Select(t => t.Index));
        }
        Assert.Equal(10, talked.Count);
        // The turns the report judges by are the same as what the participants send.
        var turns = schedule.TurnsOf(0, plans.ToDictionary(p => p.Slot, p => p.Index), 40_000).ToList();
        Assert.Equal(4 * 3, turns.Count);
        Assert.All(turns, t => Assert.Equal(t.Tone, schedule.ToneAt(plans[t.Participant], t.StartMs + 1)));
    }

    [Fact]
    public void Steady_talkers_are_the_first_k_slots_all_the_time()
    {
        var options = Turns(10) with { TalkPattern = TalkPattern.Steady };
        var plans = RunPlanner.PlanParticipants(options);
        var schedule = new TalkSchedule(options, plans);
        Assert.Equal([0, 1, 2, -1, -1], plans.Take(5).Select(p => schedule.ToneAt(p, 123_456)));
        Assert.Equal(3, schedule.TurnsOf(0, plans.ToDictionary(p => p.Slot, p => p.Index), 1e9).Count());
    }

    [Fact]
    public void A_listener_whose_own_turn_carries_its_tone_is_caught_hearing_itself_and_others_turns_are_judged()
    {
        var evaluator = new MixEvaluator(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(160));
        IReadOnlyList<MediaSession> sessions = [new MediaSession { StartMs = 0 }];
        // Tone 0: someone else 0–10 s, the listener 10–20 s, someone else 20–30 s.
        IReadOnlyList<IReadOnlyList<TalkerPresence>> others = [[new TalkerPresence(0, 10_000), new TalkerPresence(20_000, 30_000)]];
        IReadOnlyList<IReadOnlyList<TalkerPresence>> own = [[new TalkerPresence(10_000, 20_000)]];
        HeardWindow Window(double endMs, uint present) => new(endMs, new Audio.ToneWindow(present, 0));

        var right = evaluator.Judge(others, own, sessions, [Window(5_000, 1), Window(15_000, 0), Window(25_000, 1), Window(10_500, 1)]);
        Assert.Equal((3, 3, 0L), (right.WindowsJudged, right.WindowsCorrect, right.HeardItself)); // 10.5 s: settling, not judged

        var wrong = evaluator.Judge(others, own, sessions, [Window(15_000, 1), Window(25_000, 0)]);
        Assert.Equal((2, 0, 1L, 1L), (wrong.WindowsJudged, wrong.WindowsCorrect, wrong.HeardItself, wrong.MissingTalker));
    }

    [Fact]
    public void Opus_offers_carry_the_audio_level_and_answers_are_read_with_it()
    {
        var offer = System.Text.Encoding.ASCII.GetString(AudioSdp.CreateOffer("127.0.0.1", 40000, 1, 1, LoadCodec.Opus, audioLevels: true));
        Assert.Contains("a=rtpmap:111 opus/48000/2", offer);
        Assert.Contains("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", offer);
        Assert.True(AudioSdp.TryReadRemote(System.Text.Encoding.ASCII.GetBytes(offer.Replace("40000", "41000")), out RemoteAudio? remote));
        Assert.Equal(new RemoteAudio(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 41000), 111, 101, 1), remote);
        Assert.DoesNotContain("extmap", System.Text.Encoding.ASCII.GetString(AudioSdp.CreateOffer("127.0.0.1", 40000, 1, 1, LoadCodec.Opus, audioLevels: false)));
    }
}
