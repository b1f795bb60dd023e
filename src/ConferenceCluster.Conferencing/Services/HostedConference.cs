using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services.Prompts;
using Orleans;
using Orleans.Concurrency;

namespace ConferenceCluster.Conferencing.Services;

/// <summary>The Host/Guest timers, from Global Settings.</summary>
/// <param name="WaitingForHostTimeout">Per waiting participant, default 900 s (R-HG-2, L7076–7085, L3165).</param>
/// <param name="GuestsOnlyTimeout">After the last Host leaves, default 60 s, 0 = at once (R-HG-5, L7399–7405, L3162).</param>
/// <param name="VideoWaitingPromptInterval">The waiting message repeats every 30 s for video participants (L6938).</param>
/// <param name="AudioWaitingPromptInterval">... and every 15 s for audio-only participants (L6938).</param>
/// <param name="LastParticipantBackstop">
/// Ends the conference when exactly one participant of any kind has been left in it this long; zero = never, the
/// default (R-END-1 b, L7386–7397, L3163).
/// </param>
public sealed record HostedConferenceOptions(
    TimeSpan WaitingForHostTimeout,
    TimeSpan GuestsOnlyTimeout,
    TimeSpan VideoWaitingPromptInterval,
    TimeSpan AudioWaitingPromptInterval,
    TimeSpan LastParticipantBackstop = default)
{
    public static readonly HostedConferenceOptions Default = From(GlobalSettings.Default);

    public static HostedConferenceOptions From(GlobalSettings settings) => new(
        TimeSpan.FromSeconds(settings.WaitingForHostTimeoutSeconds),
        TimeSpan.FromSeconds(settings.GuestsOnlyTimeoutSeconds),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(settings.LastParticipantBackstopTimeoutSeconds));
}

/// <summary>One participant as <see cref="HostedConference"/> holds it, for its grain's persisted state.</summary>
[GenerateSerializer, Immutable, Alias("cc.HostedConferenceMember")]
public sealed record HostedConferenceMember(
    string Id, ParticipantRole Role, CallKind Kind, ArrivalKind Arrival, bool InConference, DateTimeOffset WaitingSince,
    DateTimeOffset? NextPromptAt, bool Muted);

/// <summary>
/// Everything <see cref="HostedConference"/> knows (lock, mute all, who waits since when, the Guests-only and backstop
/// deadlines), so a conference restored on another silo keeps its lobby (issue 12). A DTMF sequence half typed is not kept.
/// </summary>
[GenerateSerializer, Immutable, Alias("cc.HostedConferenceState")]
public sealed record HostedConferenceState(
    IReadOnlyList<HostedConferenceMember> Members, bool IsLocked, bool GuestsMuted, bool HasEnded, bool StartedManually,
    DateTimeOffset? GuestsOnlyDeadline, DateTimeOffset? BackstopDeadline);

/// <summary>
/// The Host/Guest rules of one conference instance, for its ConferenceGrain to own: Guests wait for the first Host
/// (R-HG-1..3), the Waiting-for-Host timeout (R-HG-2), the Guests-only timeout (R-HG-5), lock, admit and reject
/// (R-LOCK-1..4), mute all Guests (R-MUTE-2) and DTMF conference control (R-DTMF). Participants arrive here after
/// PIN entry, with their role. Every method answers with the <see cref="ConferenceAction"/>s to carry out; nothing
/// here touches a socket or a timer. The grain calls <see cref="Tick"/> at <see cref="NextDueAt"/>.
/// </summary>
/// <remarks>Not thread-safe: the grain's single-threaded turns serialise every call.</remarks>
public sealed class HostedConference
{
    private readonly PinPolicy _pins;
    private readonly HostedConferenceOptions _options;
    private readonly DtmfConferenceControl _dtmf;
    private readonly TimeProvider _time;
    /// <summary>In arrival order, so waiting participants are let in first-come first-served.</summary>
    private readonly List<Member> _members = [];
    private DateTimeOffset? _guestsOnlyDeadline;
    /// <summary>Its own timer, independent of the Guests-only one: the earlier expiry wins (R-END-2, L7392–7397).</summary>
    private DateTimeOffset? _backstopDeadline;
    /// <summary>A control-only Host pressed "Start the meeting" (R-HG-3, R-LOCK-6); forgotten when no Host is left.</summary>
    private bool _startedManually;

    /// <param name="muteGuestsOnJoin">A Virtual Auditorium's "Mute all Guests" (R-MUTE-6, L5583): mute-all starts on.</param>
    public HostedConference(PinPolicy pins, HostedConferenceOptions options, DtmfConferenceControl dtmf, TimeProvider time, bool muteGuestsOnJoin = false)
    {
        _pins = pins;
        _options = options;
        _dtmf = dtmf;
        _time = time;
        GuestsMuted = muteGuestsOnJoin;
    }

    /// <summary>The lobby as it stands, for the grain's persisted state.</summary>
    public HostedConferenceState Snapshot() => new(
        _members.Select(m => new HostedConferenceMember(m.Id, m.Role, m.Kind, m.Arrival, m.InConference, m.WaitingSince, m.NextPromptAt, m.Muted)).ToList(),
        IsLocked, GuestsMuted, HasEnded, _startedManually, _guestsOnlyDeadline, _backstopDeadline);

    /// <summary>The lobby a lost activation left (<see cref="Snapshot"/>), with the room's current PIN policy and timers.</summary>
    public static HostedConference Restore(HostedConferenceState state, PinPolicy pins, HostedConferenceOptions options, DtmfConferenceControl dtmf, TimeProvider time)
    {
        var lobby = new HostedConference(pins, options, dtmf, time, state.GuestsMuted)
        {
            IsLocked = state.IsLocked,
            HasEnded = state.HasEnded,
            _startedManually = state.StartedManually,
            _guestsOnlyDeadline = state.GuestsOnlyDeadline,
            _backstopDeadline = state.BackstopDeadline,
        };
        foreach (var m in state.Members)
            lobby._members.Add(new Member(m.Id, m.Role, m.Kind, m.Arrival)
            {
                InConference = m.InConference, WaitingSince = m.WaitingSince, NextPromptAt = m.NextPromptAt, Muted = m.Muted,
            });
        return lobby;
    }

    /// <summary>
    /// The earliest deadline that must be kept even if this conference's silo dies: the Guests-only end, the
    /// last-participant backstop and the Waiting-for-Host timeouts (prompt repeats are not: a restored lobby repeats on).
    /// </summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            if (HasEnded) return null;
            DateTimeOffset? next = _guestsOnlyDeadline;
            if (_backstopDeadline is { } backstop) next = Min(next, backstop);
            foreach (var m in _members.Where(m => !m.InConference))
                next = Min(next, m.WaitingSince + _options.WaitingForHostTimeout);
            return next;
        }
    }

    public bool IsLocked { get; private set; }

    /// <summary>Mute all Guests is on: Guests now in, and Guests who join later, are muted (R-MUTE-2).</summary>
    public bool GuestsMuted { get; private set; }

    public bool HasEnded { get; private set; }

    /// <summary>Guests are let in: a Host is in the conference and, if every Host is control-only, one has started the meeting.</summary>
    public bool HasStarted => _members.Any(m => m.InConference && m.Role == ParticipantRole.Host && (m.Kind != CallKind.ControlOnly || _startedManually));

    public DateTimeOffset? GuestsOnlyDeadline => _guestsOnlyDeadline;

    public DateTimeOffset? LastParticipantDeadline => _backstopDeadline;

    public IEnumerable<string> InConference => _members.Where(m => m.InConference).Select(m => m.Id);

    /// <summary>Waiting for the host, in arrival order (the lock indicator's "{n} waiting for host", R-LOCK-5).</summary>
    public IEnumerable<string> Waiting => _members.Where(m => !m.InConference).Select(m => m.Id);

    public bool IsEmpty => _members.Count == 0;

    public ParticipantRole? RoleOf(string participant) => Find(participant)?.Role;

    public bool? IsMuted(string participant) => Find(participant)?.Muted;

    /// <summary>The earliest moment <see cref="Tick"/> has something to do: a prompt repeat, a timeout, the Guests-only end.</summary>
    public DateTimeOffset? NextDueAt
    {
        get
        {
            if (HasEnded) return null;
            DateTimeOffset? next = _guestsOnlyDeadline;
            if (_backstopDeadline is { } backstop) next = Min(next, backstop);
            foreach (var m in _members.Where(m => !m.InConference))
            {
                next = Min(next, m.WaitingSince + _options.WaitingForHostTimeout);
                if (m.NextPromptAt is { } prompt) next = Min(next, prompt);
            }
            return next;
        }
    }

    /// <summary>A participant (past PIN entry, or an invitee) arrives in this role: joins now, or waits for the host.</summary>
    public ArrivalDecision Arrive(string participant, ParticipantRole role, CallKind kind, ArrivalKind arrival = ArrivalKind.Caller)
    {
        if (HasEnded) throw new InvalidOperationException("The conference has ended; a new arrival starts a new instance.");
        if (Find(participant) is not null) throw new InvalidOperationException($"Participant {participant} has already arrived.");
        var member = new Member(participant, role, kind, arrival);
        _members.Add(member);
        var actions = new List<ConferenceAction>();
        if (MustWait(member))
        {
            StartWaiting(member, actions);
            return new ArrivalDecision(false, actions);
        }
        Join(member, actions);
        AfterHostsChanged(actions);
        return new ArrivalDecision(true, actions);
    }

    /// <summary>A participant hung up or was disconnected.</summary>
    public IReadOnlyList<ConferenceAction> Leave(string participant)
    {
        var member = Find(participant);
        if (member is null || HasEnded) return [];
        _members.Remove(member);
        var actions = new List<ConferenceAction>();
        if (member.InConference && member.Role == ParticipantRole.Host) AfterHostsChanged(actions);
        if (!HasEnded) UpdateBackstop();
        return actions;
    }

    /// <summary>Lock: new Guests (and, without a Host PIN, every new caller) wait (R-LOCK-2/3).</summary>
    public IReadOnlyList<ConferenceAction> Lock()
    {
        if (HasEnded || IsLocked) return [];
        IsLocked = true;
        return [new ConferenceAction.LockChanged(true, Waiting.Count())];
    }

    /// <summary>Unlock: everyone still waiting joins, as far as the first-Host rule allows (R-LOCK-2/3, Q12).</summary>
    public IReadOnlyList<ConferenceAction> Unlock()
    {
        if (HasEnded || !IsLocked) return [];
        IsLocked = false;
        var actions = new List<ConferenceAction>();
        AdmitWhoCan(actions);
        actions.Insert(0, new ConferenceAction.LockChanged(false, Waiting.Count()));
        return actions;
    }

    /// <summary>A Host lets one waiting participant in (R-LOCK-4): they join whatever the lock or the first-Host rule says.</summary>
    public IReadOnlyList<ConferenceAction> Admit(string participant)
    {
        if (HasEnded || Find(participant) is not { InConference: false } member) return [];
        var actions = new List<ConferenceAction>();
        Join(member, actions);
        AfterHostsChanged(actions);
        return actions;
    }

    /// <summary>A Host turns one waiting participant away: the waiting call is disconnected (R-LOCK-4, L7872).</summary>
    public IReadOnlyList<ConferenceAction> Reject(string participant)
    {
        if (HasEnded || Find(participant) is not { InConference: false } member) return [];
        _members.Remove(member);
        return [new ConferenceAction.Disconnect(participant, DisconnectReason.RejectedByHost)];
    }

    /// <summary>"Start the meeting" from a control-only Host: lets the Guests in (R-HG-3, R-LOCK-6, AT-25).</summary>
    public IReadOnlyList<ConferenceAction> StartMeeting()
    {
        if (HasEnded || !_members.Any(m => m.InConference && m.Role == ParticipantRole.Host)) return [];
        _startedManually = true;
        var actions = new List<ConferenceAction>();
        AdmitWhoCan(actions);
        return actions;
    }

    /// <summary>Mute all Guests on or off (R-MUTE-2): every Guest in the conference now, and every Guest who joins later.</summary>
    public IReadOnlyList<ConferenceAction> MuteAllGuests(bool muted)
    {
        if (HasEnded) return [];
        GuestsMuted = muted;
        var actions = new List<ConferenceAction>();
        foreach (var guest in _members.Where(m => m.InConference && m.Role == ParticipantRole.Guest && m.Muted != muted))
        {
            guest.Muted = muted;
            actions.Add(new ConferenceAction.SetMuted(guest.Id, muted));
        }
        return actions;
    }

    /// <summary>Mute or unmute one participant, e.g. a Host unmuting one Guest after mute-all (R-MUTE-2).</summary>
    public IReadOnlyList<ConferenceAction> SetMuted(string participant, bool muted)
    {
        if (HasEnded || Find(participant) is not { InConference: true } member || member.Muted == muted) return [];
        member.Muted = muted;
        return [new ConferenceAction.SetMuted(participant, muted)];
    }

    /// <summary>
    /// A participant's role changes: Make Host / Make Guest (R-HG-8), or a waiting Guest who typed the Host PIN from
    /// the waiting screen (Q4). Nobody may make themselves a Guest (L7052): pass who asked.
    /// </summary>
    public IReadOnlyList<ConferenceAction> ChangeRole(string participant, ParticipantRole role, string? requestedBy = null)
    {
        if (HasEnded || Find(participant) is not { } member || member.Role == role) return [];
        if (role == ParticipantRole.Guest && requestedBy == participant)
            throw new InvalidOperationException("A participant cannot change their own role to Guest (L7052).");
        member.Role = role;
        var actions = new List<ConferenceAction>();
        if (member.InConference)
        {
            if (role == ParticipantRole.Guest && GuestsMuted && !member.Muted)
            {
                member.Muted = true;
                actions.Add(new ConferenceAction.SetMuted(member.Id, true));
            }
        }
        else if (!MustWait(member))
        {
            Join(member, actions);
        }
        AfterHostsChanged(actions);
        return actions;
    }

    /// <summary>
    /// DTMF from a participant (R-DTMF, L8140–8171): Hosts in the conference toggle the lock (<c>*7</c>), mute all
    /// Guests (<c>*5</c>) or end the conference (<c>##</c>). From Guests, or from anyone still waiting, no effect (AT-65).
    /// Gateway calls never come here: their DTMF goes to the far end (L8153).
    /// </summary>
    public IReadOnlyList<ConferenceAction> Dtmf(string participant, string digits)
    {
        if (HasEnded || Find(participant) is not { InConference: true, Role: ParticipantRole.Host } host) return [];
        host.Dtmf ??= new DtmfCommandCollector(_dtmf, _time);
        var actions = new List<ConferenceAction>();
        foreach (var command in host.Dtmf.Add(digits))
        {
            switch (command)
            {
                case DtmfCommand.ToggleLock:
                    actions.AddRange(IsLocked ? Unlock() : Lock());
                    break;
                case DtmfCommand.ToggleGuestMute:
                    actions.AddRange(MuteAllGuests(!GuestsMuted));
                    break;
                case DtmfCommand.EndConference:
                    End(DisconnectReason.EndedByDtmf, actions);
                    return actions;
            }
        }
        return actions;
    }

    /// <summary>End the conference now, e.g. Disconnect all from an administrator; everyone, waiting or in, is disconnected.</summary>
    public IReadOnlyList<ConferenceAction> EndConference(DisconnectReason reason)
    {
        var actions = new List<ConferenceAction>();
        if (!HasEnded) End(reason, actions);
        return actions;
    }

    /// <summary>The clock moved: repeats waiting prompts, disconnects participants who waited too long, ends a Guests-only conference.</summary>
    public IReadOnlyList<ConferenceAction> Tick()
    {
        if (HasEnded) return [];
        var now = _time.GetUtcNow();
        var actions = new List<ConferenceAction>();
        if (_guestsOnlyDeadline is { } deadline && now >= deadline)
        {
            End(DisconnectReason.AllHostsDeparted, actions);
            return actions;
        }
        if (_backstopDeadline is { } backstop && now >= backstop)
        {
            End(DisconnectReason.LastParticipantTimedOut, actions);
            return actions;
        }
        foreach (var member in _members.Where(m => !m.InConference).ToList())
        {
            if (now >= member.WaitingSince + _options.WaitingForHostTimeout)
            {
                _members.Remove(member);
                actions.Add(new ConferenceAction.Disconnect(member.Id, DisconnectReason.WaitingForHostTimedOut));
            }
            else if (member.NextPromptAt is { } due && now >= due)
            {
                actions.Add(new ConferenceAction.PlayPrompt(member.Id, WaitingPrompt(member)));
                // Repeat on a fixed cadence from the first play; a late tick plays once, not once per missed period.
                var interval = PromptInterval(member.Kind);
                while (due <= now) due += interval;
                member.NextPromptAt = due;
            }
        }
        return actions;
    }

    private bool MustWait(Member member)
    {
        if (member.Role == ParticipantRole.Host)
        {
            // R-LOCK-3: a Host PIN gets in whatever the lock. R-LOCK-2: without a Host PIN, every caller is a Host and
            // the lock holds them all; invitees with role Host join at once in both cases.
            return IsLocked && !_pins.RequiresPinEntry && member.Arrival == ArrivalKind.Caller;
        }
        return IsLocked || !HasStarted; // R-HG-1, R-LOCK-3; Guest-role invitees too (R-ADP-10)
    }

    private void StartWaiting(Member member, List<ConferenceAction> actions)
    {
        member.InConference = false;
        member.WaitingSince = _time.GetUtcNow();
        if (member.Kind != CallKind.ControlOnly)
        {
            actions.Add(new ConferenceAction.PlayPrompt(member.Id, WaitingPrompt(member)));
            member.NextPromptAt = member.WaitingSince + PromptInterval(member.Kind);
        }
        var hosts = _members.Where(m => m.InConference && m.Role == ParticipantRole.Host).Select(m => m.Id).ToList();
        if (IsLocked && hosts.Count > 0)
            actions.Add(new ConferenceAction.AlertHosts(member.Id, hosts, PromptCatalogue.ParticipantLockedOut));
    }

    private void Join(Member member, List<ConferenceAction> actions)
    {
        member.InConference = true;
        member.NextPromptAt = null;
        actions.Add(new ConferenceAction.JoinConference(member.Id));
        UpdateBackstop();
        if (member.Role == ParticipantRole.Guest && GuestsMuted)
        {
            member.Muted = true;
            actions.Add(new ConferenceAction.SetMuted(member.Id, true));
        }
    }

    /// <summary>Hosts came or went: let waiting participants in, and start or stop the Guests-only timer.</summary>
    private void AfterHostsChanged(List<ConferenceAction> actions)
    {
        var hostsIn = _members.Any(m => m.InConference && m.Role == ParticipantRole.Host);
        if (hostsIn)
        {
            _guestsOnlyDeadline = null; // a Host came back in time (R-HG-5, AT-24)
            AdmitWhoCan(actions);
            return;
        }
        _startedManually = false;
        if (_guestsOnlyDeadline is not null || _members.Count == 0) return;
        if (_members.Any(m => m.Role == ParticipantRole.Host)) return; // only waiting Hosts are left, not Guests
        if (!_members.Any(m => m.InConference)) return; // it never started: the Guests are still waiting for the first Host
        if (_options.GuestsOnlyTimeout <= TimeSpan.Zero)
        {
            End(DisconnectReason.AllHostsDeparted, actions);
            return;
        }
        _guestsOnlyDeadline = _time.GetUtcNow() + _options.GuestsOnlyTimeout;
        foreach (var guest in _members.Where(m => m.InConference && m.Kind != CallKind.ControlOnly))
            actions.Add(new ConferenceAction.PlayPrompt(guest.Id, PromptCatalogue.LeaderHasLeft));
    }

    /// <summary>
    /// The backstop runs while exactly one participant, of any kind, is in the conference (waiting callers are not in
    /// it), and restarts each time that becomes true.
    /// </summary>
    private void UpdateBackstop()
    {
        if (_options.LastParticipantBackstop <= TimeSpan.Zero || _members.Count(m => m.InConference) != 1)
            _backstopDeadline = null;
        else
            _backstopDeadline ??= _time.GetUtcNow() + _options.LastParticipantBackstop;
    }

    private void AdmitWhoCan(List<ConferenceAction> actions)
    {
        // Hosts first: a waiting Host who joins may be the one the waiting Guests need.
        foreach (var member in _members.Where(m => !m.InConference).OrderBy(m => m.Role == ParticipantRole.Host ? 0 : 1).ToList())
        {
            if (!MustWait(member)) Join(member, actions);
        }
    }

    private void End(DisconnectReason reason, List<ConferenceAction> actions)
    {
        HasEnded = true;
        _guestsOnlyDeadline = null;
        _backstopDeadline = null;
        actions.Add(new ConferenceAction.EndConference(reason, _members.Select(m => m.Id).ToList()));
        _members.Clear();
    }

    private string WaitingPrompt(Member member) =>
        member.Role == ParticipantRole.Guest && member.Arrival == ArrivalKind.Caller ? _pins.WaitingPrompt : PromptCatalogue.WaitForLeader;

    private TimeSpan PromptInterval(CallKind kind) =>
        kind == CallKind.AudioOnly ? _options.AudioWaitingPromptInterval : _options.VideoWaitingPromptInterval;

    private Member? Find(string participant) => _members.Find(m => m.Id == participant);

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a;

    private sealed class Member(string id, ParticipantRole role, CallKind kind, ArrivalKind arrival)
    {
        public string Id { get; } = id;
        public ParticipantRole Role { get; set; } = role;
        public CallKind Kind { get; } = kind;
        public ArrivalKind Arrival { get; } = arrival;
        public bool InConference { get; set; }
        public DateTimeOffset WaitingSince { get; set; }
        public DateTimeOffset? NextPromptAt { get; set; }
        public bool Muted { get; set; }
        public DtmfCommandCollector? Dtmf { get; set; }
    }
}
