namespace ConferenceCluster.Conferencing.Layouts;

/// <summary>
/// Voice switching: who the current speaker is, and everyone's speaking order (most recent first), from the audio
/// mixer's moment-to-moment choice of the loudest participant. Hysteresis in time: a participant becomes the current
/// speaker only after being the loudest for <see cref="SwitchAfter"/> without a break, so a cough, a laugh or two people
/// talking over each other do not flip the main picture back and forth. Silence never switches.
/// </summary>
/// <remarks>Plain class with explicit timestamps (no clock): the media worker passes its own; tests pass numbers.</remarks>
public sealed class VoiceSwitch
{
    private readonly List<string> _recency = [];
    private string? _candidate;
    private TimeSpan _candidateSince;

    /// <param name="switchAfter">How long someone must be the loudest to take the floor (default 1 s).</param>
    public VoiceSwitch(TimeSpan? switchAfter = null)
    {
        SwitchAfter = switchAfter ?? TimeSpan.FromSeconds(1);
        if (SwitchAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(switchAfter), switchAfter, "The switch delay is not negative.");
        }
    }

    public TimeSpan SwitchAfter { get; }

    /// <summary>The current speaker (the head of <see cref="Recency"/>), or null before anyone has spoken.</summary>
    public string? CurrentSpeaker => _recency.Count > 0 ? _recency[0] : null;

    /// <summary>Participants who have held the floor, most recent first (L7178: "in order of who spoke most recently").</summary>
    public IReadOnlyList<string> Recency => _recency;

    /// <summary>Increases whenever <see cref="Recency"/> changes, so a caller knows when to recompute its layouts.</summary>
    public long Version { get; private set; }

    /// <summary>One observation of the audio: who is loudest now (null: nobody is speaking).</summary>
    /// <returns>Whether the current speaker changed.</returns>
    public bool Observe(TimeSpan now, string? loudest)
    {
        if (loudest is null || loudest == CurrentSpeaker)
        {
            _candidate = null;
            return false;
        }

        if (loudest != _candidate)
        {
            _candidate = loudest;
            _candidateSince = now;
        }

        if (now - _candidateSince < SwitchAfter)
        {
            return false;
        }

        TakeFloor(loudest);
        _candidate = null;
        return true;
    }

    /// <summary>Makes <paramref name="id"/> the current speaker at once (a forced switch, or replaying known history).</summary>
    public void TakeFloor(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        _recency.Remove(id);
        _recency.Insert(0, id);
        Version++;
    }

    /// <summary>A participant left: it drops out of the order (the previous speaker becomes current if it was).</summary>
    public void Forget(string id)
    {
        if (_recency.Remove(id))
        {
            Version++;
        }

        if (_candidate == id)
        {
            _candidate = null;
        }
    }
}
