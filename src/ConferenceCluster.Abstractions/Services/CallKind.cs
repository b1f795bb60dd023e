namespace ConferenceCluster.Conferencing.Services;

/// <summary>What a participant can hear and see, as far as the conference services care.</summary>
[GenerateSerializer, Alias("cc.CallKind")]
public enum CallKind
{
    /// <summary>Sends and receives video: the waiting prompt repeats every 30 s (L6938).</summary>
    Video,

    /// <summary>A telephone or audio-only call: the waiting prompt repeats every 15 s (L6938).</summary>
    AudioOnly,

    /// <summary>
    /// A presentation-and-control-only client-API participant: hears no prompts, and as a Host does not start the
    /// meeting by joining (R-HG-3, L6948).
    /// </summary>
    ControlOnly,
}

/// <summary>How a participant came to the conference; the lock treats invitees differently (R-LOCK-2/3, L7813, L7825).</summary>
[GenerateSerializer, Alias("cc.ArrivalKind")]
public enum ArrivalKind
{
    /// <summary>Dialled in (SIP or client API), through PIN entry where the room has PINs.</summary>
    Caller,

    /// <summary>An Automatically Dialed Participant or a manual dial-out: joins in its configured role, with no PIN (R-ADP-4).</summary>
    Invited,
}
