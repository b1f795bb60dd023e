using ConferenceCluster.LoadTest.Participants;

namespace ConferenceCluster.LoadTest.Running;

/// <summary>How the talkers of a conference talk.</summary>
public enum TalkPattern
{
    /// <summary>The first K participants of each conference talk all the time they are in.</summary>
    Steady,

    /// <summary>Talk in turns: K talk at a time, and every turn the next K of the conference take over (rotating).</summary>
    Turns,
}

/// <summary>One stretch of one tone: who sends it from when to when (run milliseconds; end null: until the run ends).</summary>
public readonly record struct ToneTurn(int Tone, int Participant, double StartMs, double? EndMs);

/// <summary>
/// Who sends which talker tone when. Tone j (0 ≤ j &lt; K) is <see cref="Audio.ToneFrequencyPlan.FrequencyOf"/>(j). Steady:
/// slot j sends tone j throughout. Turns: in turn t (of <see cref="LoadTestOptions.TurnLength"/> from the start of the
/// run) slot (t·K + j) mod n of the conference's n planned participants sends tone j; so at any moment K talk, each
/// with a tone of its own, and a listener knows exactly which tones to hear and which (its own) not. Pure: no clock.
/// </summary>
public sealed class TalkSchedule
{
    private readonly LoadTestOptions _options;
    private readonly Dictionary<int, int> _conferenceSizes;
    private readonly double _turnMs;

    public TalkSchedule(LoadTestOptions options, IReadOnlyList<ParticipantPlan> plans)
    {
        _options = options;
        _conferenceSizes = plans.GroupBy(p => p.Conference).ToDictionary(g => g.Key, g => g.Count());
        _turnMs = options.TurnLength.TotalMilliseconds;
    }

    public int Talkers => _options.TalkersPerConference;

    /// <summary>The tone index <paramref name="plan"/> sends at <paramref name="nowMs"/>, or −1 for silence.</summary>
    public int ToneAt(ParticipantPlan plan, double nowMs)
    {
        var k = _options.TalkersPerConference;
        if (k == 0) return -1;
        if (_options.TalkPattern == TalkPattern.Steady) return plan.Slot < k ? plan.Slot : -1;
        var n = _conferenceSizes.GetValueOrDefault(plan.Conference, 1);
        if (n <= k) return plan.Slot < k ? plan.Slot : -1; // everyone talks: no turns to take
        var turn = (long)Math.Floor(Math.Max(0, nowMs) / _turnMs);
        var first = turn * k % n;
        var offset = ((plan.Slot - first) % n + n) % n;
        return offset < k ? (int)offset : -1;
    }

    /// <summary>Every turn of every tone in <paramref name="conference"/> up to <paramref name="endMs"/>, by planned slot (participants by slot in <paramref name="bySlot"/>).</summary>
    public IEnumerable<ToneTurn> TurnsOf(int conference, IReadOnlyDictionary<int, int> bySlot, double endMs)
    {
        var k = _options.TalkersPerConference;
        var n = _conferenceSizes.GetValueOrDefault(conference, 0);
        if (k == 0 || n == 0) yield break;
        if (_options.TalkPattern == TalkPattern.Steady || n <= k)
        {
            for (var j = 0; j < Math.Min(k, n); j++)
                if (bySlot.TryGetValue(j, out var participant)) yield return new ToneTurn(j, participant, 0, null);
            yield break;
        }
        for (long turn = 0; turn * _turnMs < endMs; turn++)
        {
            for (var j = 0; j < k; j++)
            {
                var slot = (int)((turn * k + j) % n);
                if (bySlot.TryGetValue(slot, out var participant))
                    yield return new ToneTurn(j, participant, turn * _turnMs, (turn + 1) * _turnMs);
            }
        }
    }
}
