using System.Globalization;
using ConferenceCluster.LoadTest.Participants;
using ConferenceCluster.LoadTest.Running;

namespace ConferenceCluster.LoadTest.Reporting;

/// <summary>Folds every participant's record into the run's <see cref="LoadTestReport"/>. Pure: runs after the participants have stopped.</summary>
public static class ReportBuilder
{
    public static LoadTestReport Build(LoadTestOptions options, IReadOnlyList<SimulatedParticipant> participants, RunFacts facts)
    {
        var everyAttempt = participants.SelectMany(p => p.Attempts).ToList();
        var attempts = everyAttempt.Where(a => !a.CancelledAtRunEnd).ToList();
        var joined = attempts.Where(a => a.Admitted).ToList();
        var failed = attempts.Where(a => !a.Admitted).ToList();
        var sessions = participants.SelectMany(p => p.Sessions).ToList();
        var totals = participants.Select(p => p.Totals).ToList();

        var allJoins = Phase(attempts);
        return new LoadTestReport
        {
            Profile = options.Profile.ToString().ToLowerInvariant(),
            ParticipantsPlanned = participants.Count,
            Conferences = options.Conferences,
            ElapsedSeconds = facts.ElapsedMs / 1000,
            JoinAttempts = attempts.Count,
            Joined = joined.Count,
            Failed = failed.Count,
            CancelledAtRunEnd = everyAttempt.Count - attempts.Count,
            JoinsPerSecond = allJoins.JoinsPerSecond,
            Surge = options.Profile == LoadProfile.Surge
                ? Phase(participants.Where(p => p.Plan.Index >= options.Participants).SelectMany(p => p.Attempts).Where(a => !a.CancelledAtRunEnd).ToList())
                : null,
            PeakInConference = facts.PeakInConference,
            FailuresByStatus = failed.GroupBy(a => $"{a.StatusCode} {a.Reason}").OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
            RetryAfterSeconds = failed.Where(a => a.RetryAfter is not null)
                .GroupBy(a => a.RetryAfter!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture))
                .ToDictionary(g => g.Key, g => g.Count()),
            // Latency of every final answer (a fast 503 is a latency too), time to audio of every session that got some.
            JoinLatencyMs = Percentiles.Of(attempts.Select(a => a.LatencyMs)),
            TimeToFirstAudioMs = Percentiles.Of(sessions.Where(s => s.TimeToFirstAudioMs is not null).Select(s => s.TimeToFirstAudioMs!.Value)),
            PacketsReceived = totals.Sum(t => t.PacketsReceived),
            PacketsLost = totals.Sum(t => t.PacketsLost),
            JitterMs = Percentiles.Of(totals.SelectMany(t => t.JitterMs)),
            MediaGaps = totals.Sum(t => t.MediaGaps),
            LongestMediaGapMs = totals.Count == 0 ? 0 : totals.Max(t => t.LongestGapMs),
            Mix = JudgeMix(options, participants),
            ReInvitesAnswered = participants.Sum(p => p.ReInvitesAnswered),
            MediaMoves = participants.Sum(p => p.MediaMoves),
            EndedEarly = participants.SelectMany(p => p.EndedEarly).GroupBy(r => r.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            DtmfDigitsSent = participants.Sum(p => p.DigitsSent),
            PacerLateFrames = facts.PacerLateFrames,
            TargetCpu = facts.TargetCpu,
            Interrupted = facts.Interrupted,
        };
    }

    private static JoinPhase Phase(IReadOnlyList<JoinAttempt> attempts)
    {
        var joined = attempts.Where(a => a.Admitted).ToList();
        var spanMs = joined.Count == 0 ? 0 : joined.Max(a => a.StartedMs + a.LatencyMs) - attempts.Min(a => a.StartedMs);
        return new JoinPhase(attempts.Count, joined.Count, spanMs <= 0 ? joined.Count : joined.Count * 1000.0 / spanMs,
            Percentiles.Of(attempts.Select(a => a.LatencyMs)));
    }

    private static MixReport JudgeMix(LoadTestOptions options, IReadOnlyList<SimulatedParticipant> participants)
    {
        var evaluator = new MixEvaluator(options.Settle,
            TimeSpan.FromMilliseconds(1000.0 * SimulatedParticipant.WindowSamples / Audio.PcmuFrames.SampleRate));
        int checkedCount = 0, correct = 0, unchecked_ = 0;
        long judged = 0, right = 0, missing = 0, unexpected = 0, itself = 0;
        var schedule = new TalkSchedule(options, participants.Select(p => p.Plan).ToList());
        var endMs = participants.SelectMany(p => p.Windows).Select(w => w.EndMs).DefaultIfEmpty(0).Max() + 1;
        foreach (var conference in participants.GroupBy(p => p.Plan.Conference))
        {
            var byIndex = conference.ToDictionary(p => p.Plan.Index);
            var turns = schedule.TurnsOf(conference.Key, conference.ToDictionary(p => p.Plan.Slot, p => p.Plan.Index), endMs).ToList();
            foreach (var listener in conference)
            {
                if (listener.Sessions.Count == 0) continue; // never in: counted as a failed join, not as a mix result
                // Each tone's turns while its talker was really in (a turn intersected with the talker's sessions),
                // split into the others' and the listener's own.
                var others = Enumerable.Range(0, options.TalkersPerConference).Select(_ => new List<TalkerPresence>()).ToList();
                var own = Enumerable.Range(0, options.TalkersPerConference).Select(_ => new List<TalkerPresence>()).ToList();
                foreach (var turn in turns)
                {
                    var talker = byIndex[turn.Participant];
                    foreach (var session in talker.Sessions)
                    {
                        var start = Math.Max(turn.StartMs, session.StartMs);
                        double? end = turn.EndMs is null ? session.EndMs : session.EndMs is null ? turn.EndMs : Math.Min(turn.EndMs.Value, session.EndMs.Value);
                        if (end is { } e && e <= start) continue;
                        (ReferenceEquals(talker, listener) ? own : others)[turn.Tone].Add(new TalkerPresence(start, end));
                    }
                }
                var verdict = evaluator.Judge(others.Cast<IReadOnlyList<TalkerPresence>>().ToList(), own.Cast<IReadOnlyList<TalkerPresence>>().ToList(), listener.Sessions, listener.Windows);
                if (verdict.WindowsJudged == 0)
                {
                    unchecked_++;
                    continue;
                }
                checkedCount++;
                if (verdict.WindowsCorrect == verdict.WindowsJudged) correct++;
                judged += verdict.WindowsJudged;
                right += verdict.WindowsCorrect;
                missing += verdict.MissingTalker;
                unexpected += verdict.UnexpectedTalker;
                itself += verdict.HeardItself;
            }
        }
        return new MixReport(checkedCount, correct, unchecked_, judged, right, missing, unexpected, itself);
    }
}

/// <summary>What the runner itself observed, beside the participants' records.</summary>
public sealed record RunFacts(double ElapsedMs, int PeakInConference, long PacerLateFrames, IReadOnlyList<ProcessCpu> TargetCpu, bool Interrupted);
