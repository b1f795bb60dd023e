using ConferenceCluster.LoadTest.Participants;

namespace ConferenceCluster.LoadTest.Reporting;

/// <summary>When one talker was in its conference: from its media start to its leave (null: still in at the end).</summary>
public readonly record struct TalkerPresence(double StartMs, double? EndMs);

/// <summary>
/// Judges what each participant heard against who was talking. For a window [start, end] of a listener:
/// a talker is expected when it was in since at least <c>settle</c> before the window and still in at its end;
/// expected absent when it was nowhere near (not in during the window nor in the <c>settle</c> before it);
/// anything else (it joined or left around the window) is not judged. The listener's own tone must always be
/// absent (mix-minus), and its first <c>settle</c> after joining is not judged at all. Pure: no clock, no sockets.
/// </summary>
public sealed class MixEvaluator
{
    private readonly double _settleMs;
    private readonly double _windowMs;

    public MixEvaluator(TimeSpan settle, TimeSpan window)
    {
        _settleMs = settle.TotalMilliseconds;
        _windowMs = window.TotalMilliseconds;
    }

    /// <summary>The outcome for one listener.</summary>
    public readonly record struct Verdict(long WindowsJudged, long WindowsCorrect, long MissingTalker, long UnexpectedTalker, long HeardItself);

    /// <param name="talkers">Presence of the conference's talkers by slot (slot k at index k; an empty list for a talker that never joined).</param>
    /// <param name="ownSlot">The listener's slot; its tone is watched only if it is a talker (slot &lt; talkers.Count).</param>
    public Verdict Judge(IReadOnlyList<IReadOnlyList<TalkerPresence>> talkers, int ownSlot, IReadOnlyList<MediaSession> ownSessions, IReadOnlyList<HeardWindow> windows)
    {
        var others = talkers.Select((presence, k) => k == ownSlot ? [] : presence).ToList();
        var own = talkers.Select((_, k) => k == ownSlot
            ? (IReadOnlyList<TalkerPresence>)ownSessions.Select(s => new TalkerPresence(s.StartMs, s.EndMs)).ToList()
            : []).ToList();
        return Judge(others, own, ownSessions, windows);
    }

    /// <summary>
    /// The general form (talk in turns): for each tone, when <i>others</i> sent it (<paramref name="othersByTone"/>) and when
    /// the listener itself did (<paramref name="ownByTone"/>). Others' tones are judged as above; a window well inside one
    /// of the listener's own turns must not carry its own tone (mix-minus), counted as <see cref="Verdict.HeardItself"/>.
    /// </summary>
    public Verdict Judge(IReadOnlyList<IReadOnlyList<TalkerPresence>> othersByTone, IReadOnlyList<IReadOnlyList<TalkerPresence>> ownByTone,
        IReadOnlyList<MediaSession> ownSessions, IReadOnlyList<HeardWindow> windows)
    {
        long judged = 0, correct = 0, missing = 0, unexpected = 0, itself = 0;
        foreach (var window in windows)
        {
            var start = window.EndMs - _windowMs;
            if (!Settled(ownSessions, start, window.EndMs)) continue;
            var judgedSomething = false;
            var right = true;
            for (var k = 0; k < othersByTone.Count; k++)
            {
                var bit = 1u << k;
                var present = (window.Tones.Present & bit) != 0;
                var clearlyAbsent = !present && (window.Tones.Ambiguous & bit) == 0;
                var expectation = Expectation(othersByTone[k], start, window.EndMs);
                if (expectation == Expect.Silent && k < ownByTone.Count && Expectation(ownByTone[k], start, window.EndMs) == Expect.Heard)
                {
                    // Its own voice, settled in: mix-minus says never.
                    judgedSomething = true;
                    if (!clearlyAbsent)
                    {
                        right = false;
                        itself++;
                    }
                    continue;
                }
                switch (expectation)
                {
                    case Expect.Heard:
                        judgedSomething = true;
                        if (!present)
                        {
                            right = false;
                            missing++;
                        }
                        break;
                    case Expect.Silent:
                        judgedSomething = true;
                        if (!clearlyAbsent)
                        {
                            right = false;
                            unexpected++;
                        }
                        break;
                }
            }
            if (!judgedSomething) continue;
            judged++;
            if (right) correct++;
        }
        return new Verdict(judged, correct, missing, unexpected, itself);
    }

    private enum Expect { Heard, Silent, Unknown }

    private Expect Expectation(IReadOnlyList<TalkerPresence> presence, double start, double end)
    {
        foreach (var p in presence)
        {
            if (p.StartMs <= start - _settleMs && (p.EndMs is null || p.EndMs >= end)) return Expect.Heard;
        }
        foreach (var p in presence)
        {
            // In at any time from settle before the window to its end: its tone may still be fading in or out.
            if (p.StartMs <= end && (p.EndMs is null || p.EndMs >= start - _settleMs)) return Expect.Unknown;
        }
        return Expect.Silent;
    }

    /// <summary>The listener itself was in, past its own settling time, for the whole window.</summary>
    private bool Settled(IReadOnlyList<MediaSession> sessions, double start, double end)
    {
        foreach (var s in sessions)
        {
            if (s.StartMs <= start - _settleMs && (s.EndMs is null || s.EndMs >= end)) return true;
        }
        return false;
    }
}
