namespace ConferenceCluster.Conferencing.Services;

/// <summary>What a <see cref="HostedConference"/> asks the ConferenceGrain to do, in order.</summary>
public abstract record ConferenceAction
{
    private ConferenceAction() { }

    /// <summary>Put this participant into the conference (media, roster), from arrival or from waiting.</summary>
    public sealed record JoinConference(string ParticipantId) : ConferenceAction;

    /// <summary>Play a prompt (a <see cref="Prompts.PromptCatalogue"/> id) to one participant.</summary>
    public sealed record PlayPrompt(string ParticipantId, string PromptId) : ConferenceAction;

    /// <summary>
    /// Someone is waiting at a locked conference: tell every Host on screen and with the knock prompt (R-LOCK-2/3,
    /// L7813, L7825). Only client-API Hosts can act on it (R-LOCK-4).
    /// </summary>
    public sealed record AlertHosts(string WaitingParticipantId, IReadOnlyList<string> Hosts, string PromptId) : ConferenceAction;

    /// <summary>Leave this participant's audio out of (or back into) the mix (R-MUTE-1). Participants are not told (R-MUTE-3).</summary>
    public sealed record SetMuted(string ParticipantId, bool Muted) : ConferenceAction;

    /// <summary>The lock changed: show or hide the lock indicator (R-LOCK-5).</summary>
    public sealed record LockChanged(bool Locked, int Waiting) : ConferenceAction;

    /// <summary>End one participant's call.</summary>
    public sealed record Disconnect(string ParticipantId, DisconnectReason Reason) : ConferenceAction;

    /// <summary>The conference is over: disconnect every listed participant (in the conference or waiting) for this reason.</summary>
    public sealed record EndConference(DisconnectReason Reason, IReadOnlyList<string> Participants) : ConferenceAction;
}

/// <summary>The answer to <see cref="HostedConference.Arrive"/>.</summary>
/// <param name="JoinsNow">True: into the conference now. False: "Waiting for the host" (R-HG-1, R-LOCK-2/3).</param>
public sealed record ArrivalDecision(bool JoinsNow, IReadOnlyList<ConferenceAction> Actions);
