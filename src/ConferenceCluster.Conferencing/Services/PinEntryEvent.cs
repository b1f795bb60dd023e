using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Services;

/// <summary>How a PIN reached the PIN entry logic.</summary>
public enum PinSource
{
    /// <summary>DTMF digits on the PIN entry screen.</summary>
    Keypad,

    /// <summary>In the dialled alias, <c>&lt;alias&gt;**&lt;PIN&gt;@domain</c> (R-ALIAS-9, L7054–7066).</summary>
    DialString,

    /// <summary>Submitted whole by a client-API participant (R-PIN-7).</summary>
    ClientApi,

    /// <summary>The caller pressed <c>#</c> alone in a room where Guests need no PIN (R-PIN-2 row 3).</summary>
    NoPinAsGuest,
}

/// <summary>What a <see cref="PinEntrySession"/> asks its call controller to do, in order.</summary>
public abstract record PinEntryEvent
{
    private PinEntryEvent() { }

    /// <summary>Play this prompt (a <see cref="Prompts.PromptCatalogue"/> id) to the caller.</summary>
    public sealed record PlayPrompt(string PromptId) : PinEntryEvent;

    /// <summary>PIN entry is over: send the caller to the conference in this role.</summary>
    public sealed record Admitted(ParticipantRole Role) : PinEntryEvent;

    /// <summary>End the call.</summary>
    public sealed record Disconnect(DisconnectReason Reason) : PinEntryEvent;

    /// <summary>
    /// One PIN attempt, for the administrator log (every attempt, good or bad, L7009) and, when wrong, for break-in
    /// resistance (<see cref="BreakInResistance.RecordIncorrectPin"/>). The digits are never carried.
    /// </summary>
    public sealed record PinAttempt(int Number, bool Correct, ParticipantRole? Role, PinSource Source, DateTimeOffset At) : PinEntryEvent;
}
