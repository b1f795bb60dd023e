namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// Chooses the N loudest speakers, with hysteresis so the set does not flap between ticks.
/// </summary>
/// <remarks>
/// <para>The rule, applied once per tick, in this order:</para>
/// <list type="number">
/// <item><b>Level.</b> Each participant's speech level is max(this frame's mean square, previous level × release),
/// i.e. it jumps up at once and falls by <see cref="ConferenceMixerOptions.LevelReleaseDbPerTick"/> per tick. A
/// participant that sent no frame only decays.</item>
/// <item><b>Leave.</b> A member whose level is below <see cref="ConferenceMixerOptions.SilenceThresholdDbfs"/> and who
/// has been in the set for at least <see cref="ConferenceMixerOptions.MinimumHoldTicks"/> leaves it.</item>
/// <item><b>Fill.</b> While the set has room, the loudest <i>candidate</i> joins it. A candidate is a non-member that
/// sent a frame this tick and whose level is at or above the silence threshold.</item>
/// <item><b>Displace.</b> While the loudest candidate is louder than the quietest member that has served its hold
/// time by more than <see cref="ConferenceMixerOptions.SwitchMarginDb"/>, they swap.</item>
/// </list>
/// <para>
/// Ties go to the participant that joined the conference first, so the outcome is deterministic. Every swap
/// replaces a member with a strictly louder one, so the loop ends (after at most N swaps in practice, since a
/// new member has not served its hold time).
/// </para>
/// </remarks>
internal sealed class SpeakerSelector
{
    private readonly MixParticipant[] _members;
    private readonly double _switchRatio;
    private readonly double _silenceLevel;
    private readonly double _releaseFactor;
    private readonly int _minimumHoldTicks;
    private int _count;

    internal SpeakerSelector(ConferenceMixerOptions options)
    {
        _members = new MixParticipant[options.MaxMixedSpeakers];
        _switchRatio = Math.Pow(10, options.SwitchMarginDb / 10);
        _silenceLevel = Math.Pow(10, options.SilenceThresholdDbfs / 10);
        _releaseFactor = Math.Pow(10, -options.LevelReleaseDbPerTick / 10);
        _minimumHoldTicks = options.MinimumHoldTicks;
    }

    /// <summary>The speaker set, in order of entry.</summary>
    public ReadOnlySpan<MixParticipant> Members => _members.AsSpan(0, _count);

    public void Select(List<MixParticipant> participants)
    {
        for (int i = 0; i < participants.Count; i++)
        {
            MixParticipant participant = participants[i];
            double decayed = participant.SpeechLevel * _releaseFactor;
            participant.SpeechLevel = participant.HasFrame ? Math.Max(participant.FrameLevel, decayed) : decayed;
        }

        for (int i = _count - 1; i >= 0; i--)
        {
            MixParticipant member = _members[i];
            member.TicksInSpeakerSet++;
            if (member.SpeechLevel < _silenceLevel && member.TicksInSpeakerSet >= _minimumHoldTicks)
            {
                RemoveAt(i);
            }
        }

        while (_count < _members.Length && FindLoudestCandidate(participants) is { } candidate)
        {
            Enter(candidate, _count++);
        }

        while (FindLoudestCandidate(participants) is { } challenger && FindQuietestEvictableMember() is int weakest)
        {
            MixParticipant incumbent = _members[weakest];
            if (challenger.SpeechLevel <= incumbent.SpeechLevel * _switchRatio)
            {
                break;
            }

            incumbent.InSpeakerSet = false;
            Enter(challenger, weakest);
        }
    }

    /// <summary>Drops a participant that leaves the conference.</summary>
    public void Remove(MixParticipant participant)
    {
        int index = Array.IndexOf(_members, participant, 0, _count);
        if (index >= 0)
        {
            RemoveAt(index);
        }
    }

    private void Enter(MixParticipant participant, int index)
    {
        participant.InSpeakerSet = true;
        participant.TicksInSpeakerSet = 0;
        _members[index] = participant;
    }

    private void RemoveAt(int index)
    {
        _members[index].InSpeakerSet = false;
        Array.Copy(_members, index + 1, _members, index, _count - index - 1);
        _members[--_count] = null!;
    }

    private MixParticipant? FindLoudestCandidate(List<MixParticipant> participants)
    {
        MixParticipant? loudest = null;
        for (int i = 0; i < participants.Count; i++)
        {
            MixParticipant participant = participants[i];
            if (!participant.InSpeakerSet && participant.HasFrame && participant.SpeechLevel >= _silenceLevel &&
                (loudest is null || participant.SpeechLevel > loudest.SpeechLevel))
            {
                loudest = participant;
            }
        }

        return loudest;
    }

    private int? FindQuietestEvictableMember()
    {
        int? quietest = null;
        for (int i = 0; i < _count; i++)
        {
            MixParticipant member = _members[i];
            if (member.TicksInSpeakerSet >= _minimumHoldTicks &&
                (quietest is null || member.SpeechLevel < _members[quietest.Value].SpeechLevel))
            {
                quietest = i;
            }
        }

        return quietest;
    }
}
