using System.Text;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Services;

/// <summary>The PIN entry rules that are global settings.</summary>
/// <param name="Timeout">PIN entry timeout, default 120 s (R-PIN-6, L7068–7074, L3164).</param>
/// <param name="MaximumAttempts">Three for everyone but client-API participants (R-PIN-4, L7007); the seed fixes it.</param>
public sealed record PinEntryOptions(TimeSpan Timeout, int MaximumAttempts = 3)
{
    public static readonly PinEntryOptions Default = new(TimeSpan.FromSeconds(120));

    public static PinEntryOptions From(GlobalSettings settings) => new(TimeSpan.FromSeconds(settings.PinEntryTimeoutSeconds));
}

public enum PinEntryState
{
    /// <summary><see cref="PinEntrySession.Start"/> not called yet.</summary>
    NotStarted,

    /// <summary>On the PIN entry screen, collecting digits.</summary>
    Collecting,

    /// <summary>
    /// Admitted as a Guest without a PIN (R-PIN-2 row 3) and still listening: a Host who has not typed the PIN yet
    /// can do so from the waiting screen (L8441), which promotes the call to Host.
    /// </summary>
    GuestListeningForHostPin,

    /// <summary>Admitted; PIN entry is over.</summary>
    Admitted,

    Disconnected,
}

/// <summary>
/// The PIN entry screen of one call leg (R-PIN-1..7, L6890–7074), as a state machine fed with DTMF digits and the
/// clock. It answers with <see cref="PinEntryEvent"/>s (prompts to play, the role, a disconnect, and one log event
/// per attempt) and owns no timer: the controller calls <see cref="Tick"/> at <see cref="Deadline"/>.
/// </summary>
/// <remarks>
/// Digit collection (R-PIN-5, L7013–7021): PINs without <c>#</c> are judged as soon as the caller has typed as many
/// digits as the PIN has; <c>#</c> before that returns to the start of entry and is not an attempt. PINs ending in
/// <c>#</c> are judged when <c>#</c> is pressed, whatever the length, so a wrong length costs an attempt exactly as a
/// wrong digit does (AT-18) and the length stays hidden; a lone <c>#</c> just restarts entry.
/// </remarks>
public sealed class PinEntrySession
{
    private readonly PinPolicy _policy;
    private readonly PinEntryOptions _options;
    private readonly TimeProvider _time;
    private readonly StringBuilder _digits = new(PinPolicy.MaximumDigits);
    private int _attempts;

    /// <param name="clientApi">
    /// A client-API (Infinity Connect) participant: no three-attempt limit, no PIN entry timeout, and the terminal
    /// <c>#</c> is optional (R-PIN-7, L7007, L7023, L7074). Break-in resistance still applies (the caller counts the
    /// failed <see cref="PinEntryEvent.PinAttempt"/> events).
    /// </param>
    public PinEntrySession(PinPolicy policy, PinEntryOptions options, TimeProvider time, bool clientApi = false)
    {
        _policy = policy;
        _options = options;
        _time = time;
        IsClientApi = clientApi;
    }

    public bool IsClientApi { get; }

    public PinEntryState State { get; private set; } = PinEntryState.NotStarted;

    /// <summary>The role given so far; <c>null</c> while unknown (the roster's "Unknown", L14181).</summary>
    public ParticipantRole? Role { get; private set; }

    public int FailedAttempts { get; private set; }

    /// <summary>When the PIN entry timeout disconnects the caller: set once on reaching the screen, never moved (R-PIN-6).</summary>
    public DateTimeOffset? Deadline { get; private set; }

    /// <summary>
    /// The caller reaches the conference. Without a Host PIN they are admitted as Host at once (R-PIN-2 row 1);
    /// a PIN in the dial string is tried first (R-ALIAS-9, its <c>#</c> optional); otherwise the PIN entry screen.
    /// </summary>
    public IReadOnlyList<PinEntryEvent> Start(string? dialStringPin = null)
    {
        if (State != PinEntryState.NotStarted) throw new InvalidOperationException("PIN entry has already started.");
        var events = new List<PinEntryEvent>();
        if (!_policy.RequiresPinEntry)
        {
            Admit(ParticipantRole.Host, events);
            return events;
        }
        State = PinEntryState.Collecting;
        if (!IsClientApi) Deadline = _time.GetUtcNow() + _options.Timeout;
        if (!string.IsNullOrEmpty(dialStringPin))
        {
            Judge(dialStringPin, PinSource.DialString, events);
            if (State != PinEntryState.Collecting) return events;
        }
        else if (!IsClientApi)
        {
            events.Add(new PinEntryEvent.PlayPrompt(_policy.PinPrompt));
        }
        return events;
    }

    /// <summary>DTMF digits (0-9, *, #) as they arrive; several at once are handled in order.</summary>
    public IReadOnlyList<PinEntryEvent> Digits(string digits)
    {
        var events = new List<PinEntryEvent>();
        foreach (var digit in digits)
        {
            if (State is not (PinEntryState.Collecting or PinEntryState.GuestListeningForHostPin)) break;
            Digit(digit, events);
        }
        return events;
    }

    /// <summary>A whole PIN from a client-API participant; the terminal <c>#</c> is optional (L7023).</summary>
    public IReadOnlyList<PinEntryEvent> Submit(string pin)
    {
        var events = new List<PinEntryEvent>();
        if (State is not (PinEntryState.Collecting or PinEntryState.GuestListeningForHostPin)) return events;
        if (pin.TrimEnd('#').Length == 0 && _policy.GuestsJoinWithoutPin && State == PinEntryState.Collecting)
        {
            Log(true, ParticipantRole.Guest, PinSource.NoPinAsGuest, events);
            Admit(ParticipantRole.Guest, events);
            return events;
        }
        Judge(pin, PinSource.ClientApi, events);
        return events;
    }

    /// <summary>
    /// A client-API Host let this caller in from the PIN entry screen, as Host or Guest, with no PIN (R-PIN-8,
    /// L7044, AT-27). Not for client-API participants, who use a different PIN process.
    /// </summary>
    public IReadOnlyList<PinEntryEvent> AdmitWithoutPin(ParticipantRole role)
    {
        if (State != PinEntryState.Collecting || IsClientApi) return [];
        var events = new List<PinEntryEvent>();
        Admit(role, events);
        State = PinEntryState.Admitted; // admitted by a Host: no reason to keep listening for a PIN
        return events;
    }

    /// <summary>The clock moved: disconnects a caller still on the PIN entry screen at <see cref="Deadline"/> (R-PIN-6).</summary>
    public IReadOnlyList<PinEntryEvent> Tick()
    {
        if (State == PinEntryState.Collecting && Deadline is { } deadline && _time.GetUtcNow() >= deadline)
        {
            State = PinEntryState.Disconnected;
            return [new PinEntryEvent.Disconnect(DisconnectReason.PinEntryTimedOut)];
        }
        return [];
    }

    /// <summary>The call has joined the conference: digits are conference control from now on, not PIN entry.</summary>
    public void StopListening()
    {
        if (State == PinEntryState.GuestListeningForHostPin) State = PinEntryState.Admitted;
    }

    private void Digit(char digit, List<PinEntryEvent> events)
    {
        if (digit == '#')
        {
            if (_digits.Length == 0)
            {
                if (_policy.GuestsJoinWithoutPin && State == PinEntryState.Collecting)
                {
                    // R-PIN-2 row 3: "everyone else is Guest with no PIN"; a lone # is how a keypad says "I have no PIN".
                    Log(true, ParticipantRole.Guest, PinSource.NoPinAsGuest, events);
                    Admit(ParticipantRole.Guest, events);
                }
                else
                {
                    RestartEntry(events);
                }
                return;
            }
            if (_policy.TerminalHash)
            {
                Judge(_digits.ToString(), PinSource.Keypad, events);
                return;
            }
            // Too few digits for a PIN without #: back to the start of entry (L7016), not an attempt.
            _digits.Clear();
            RestartEntry(events);
            return;
        }
        if (!char.IsAsciiDigit(digit)) return; // '*' and A-D mean nothing on the PIN screen
        _digits.Append(digit);
        if (_policy.DigitCount is { } count && _digits.Length == count)
            Judge(_digits.ToString(), PinSource.Keypad, events);
        else if (_digits.Length >= PinPolicy.MaximumDigits)
            Judge(_digits.ToString(), PinSource.Keypad, events); // longer than any PIN can be: wrong, and no point waiting for #
    }

    private void RestartEntry(List<PinEntryEvent> events)
    {
        if (State == PinEntryState.Collecting) events.Add(new PinEntryEvent.PlayPrompt(_policy.PinPrompt));
    }

    private void Judge(string entered, PinSource source, List<PinEntryEvent> events)
    {
        _digits.Clear();
        var role = _policy.RoleFor(entered);
        if (State == PinEntryState.GuestListeningForHostPin && role == ParticipantRole.Guest) role = null; // no Guest PIN exists here
        if (role is { } granted)
        {
            Log(true, granted, source, events);
            Admit(granted, events);
            return;
        }
        FailedAttempts++;
        Log(false, null, source, events);
        if (IsClientApi) return; // the client API answers the request with an error; no prompt, no limit (R-PIN-7)
        events.Add(new PinEntryEvent.PlayPrompt(Prompts.PromptCatalogue.InvalidPin));
        if (FailedAttempts >= _options.MaximumAttempts)
        {
            // L7007: after the third failure the caller hears that the PIN is invalid and is disconnected.
            State = PinEntryState.Disconnected;
            events.Add(new PinEntryEvent.Disconnect(DisconnectReason.PinEntryRetriesExceeded));
            return;
        }
        if (State == PinEntryState.Collecting) events.Add(new PinEntryEvent.PlayPrompt(_policy.PinPrompt));
    }

    private void Admit(ParticipantRole role, List<PinEntryEvent> events)
    {
        Role = role;
        Deadline = null;
        State = role == ParticipantRole.Guest && _policy.GuestsJoinWithoutPin ? PinEntryState.GuestListeningForHostPin : PinEntryState.Admitted;
        events.Add(new PinEntryEvent.Admitted(role));
    }

    private void Log(bool correct, ParticipantRole? role, PinSource source, List<PinEntryEvent> events) =>
        events.Add(new PinEntryEvent.PinAttempt(++_attempts, correct, role, source, _time.GetUtcNow()));
}
