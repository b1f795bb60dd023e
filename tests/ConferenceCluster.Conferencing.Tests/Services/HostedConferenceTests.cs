using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Conferencing.Services.Prompts;
using static ConferenceCluster.Conferencing.Services.ConferenceAction;

namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>Host/Guest lifecycle (R-HG, seed L6930–6952, L7076–7085, L7399–7405), lock (R-LOCK, L7802–7877),
/// mute all Guests (R-MUTE-2) and DTMF control (R-DTMF, L8140–8171), with acceptance tests AT-21..33 and AT-65.</summary>
public class HostedConferenceTests
{
    private const ParticipantRole Host = ParticipantRole.Host;
    private const ParticipantRole Guest = ParticipantRole.Guest;

    private readonly ManualClock _clock = new();

    /// <summary>Host PIN 1234, Guests allowed, no Guest PIN (R-PIN-2 row 3): the AT-21 room.</summary>
    private HostedConference Conference(string? hostPin = "1234", string? guestPin = null, bool allowGuests = true,
        HostedConferenceOptions? options = null, bool muteGuestsOnJoin = false) =>
        new(new PinPolicy(hostPin, guestPin, allowGuests), options ?? HostedConferenceOptions.Default, DtmfConferenceControl.Default, _clock, muteGuestsOnJoin);

    /// <summary>Ticks every second up to <paramref name="seconds"/>, as a grain timer at <see cref="HostedConference.NextDueAt"/> would.</summary>
    private List<(double At, ConferenceAction Action)> RunUntil(HostedConference conference, double seconds)
    {
        var log = new List<(double, ConferenceAction)>();
        while (conference.NextDueAt is { } due && due <= ManualClock.Epoch.AddSeconds(seconds))
        {
            _clock.SetSeconds(Math.Max(_clock.Elapsed, (due - ManualClock.Epoch).TotalSeconds));
            log.AddRange(conference.Tick().Select(a => (_clock.Elapsed, a)));
        }
        _clock.SetSeconds(seconds);
        return log;
    }

    private static void AssertEnded(IReadOnlyList<ConferenceAction> actions, DisconnectReason reason, params string[] participants)
    {
        var end = Assert.IsType<EndConference>(Assert.Single(actions));
        Assert.Equal(reason, end.Reason);
        Assert.Equal(participants, end.Participants);
    }

    [Fact]
    public void AT_21_Guest_before_Host_waits_hears_the_prompt_every_15_s_audio_30_s_video_then_joins_with_the_first_Host_L6938()
    {
        var conference = Conference();
        var audio = conference.Arrive("g-audio", Guest, CallKind.AudioOnly);
        Assert.False(audio.JoinsNow);
        Assert.Equal([new PlayPrompt("g-audio", PromptCatalogue.WaitHostPin)], audio.Actions); // a Host can still type the PIN (L8441)
        Assert.False(conference.Arrive("g-video", Guest, CallKind.Video).JoinsNow);

        var log = RunUntil(conference, 60);
        Assert.Equal([15, 30, 45, 60], log.Where(e => e.Action is PlayPrompt { ParticipantId: "g-audio" }).Select(e => e.At));
        Assert.Equal([30, 60], log.Where(e => e.Action is PlayPrompt { ParticipantId: "g-video" }).Select(e => e.At));

        var host = conference.Arrive("h", Host, CallKind.Video);
        Assert.True(host.JoinsNow);
        Assert.Equal([new JoinConference("h"), new JoinConference("g-audio"), new JoinConference("g-video")], host.Actions);
        Assert.Empty(conference.Waiting);
        Assert.Null(conference.NextDueAt); // no more prompts
    }

    [Fact]
    public void Guests_with_a_Guest_PIN_hear_the_plain_waiting_prompt_L8440()
    {
        var conference = Conference(guestPin: "5678");
        Assert.Equal([new PlayPrompt("g", PromptCatalogue.WaitForLeader)], conference.Arrive("g", Guest, CallKind.Video).Actions);
    }

    [Fact]
    public void AT_22_the_Waiting_for_Host_timeout_is_per_participant_L7076_L7083()
    {
        var conference = Conference();
        conference.Arrive("A", Guest, CallKind.Video);
        _clock.SetSeconds(300);
        conference.Arrive("B", Guest, CallKind.Video);
        var log = RunUntil(conference, 1500);
        var disconnects = log.Where(e => e.Action is Disconnect).ToList();
        Assert.Equal([(900.0, (ConferenceAction)new Disconnect("A", DisconnectReason.WaitingForHostTimedOut)),
            (1200.0, new Disconnect("B", DisconnectReason.WaitingForHostTimedOut))], disconnects);
        Assert.Equal("#pex126", DisconnectReason.WaitingForHostTimedOut.Code); // L16100
        Assert.True(conference.IsEmpty);
    }

    [Fact]
    public void AT_24_Guests_are_disconnected_60_s_after_the_last_Host_leaves_L6939_L7403()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Arrive("g2", Guest, CallKind.AudioOnly);
        _clock.SetSeconds(100);
        var left = conference.Leave("h");
        Assert.Equal([new PlayPrompt("g1", PromptCatalogue.LeaderHasLeft), new PlayPrompt("g2", PromptCatalogue.LeaderHasLeft)], left);
        Assert.Equal(ManualClock.Epoch.AddSeconds(160), conference.NextDueAt);
        _clock.SetSeconds(159);
        Assert.Empty(conference.Tick());
        _clock.SetSeconds(160);
        var end = Assert.IsType<EndConference>(Assert.Single(conference.Tick()));
        Assert.Equal(DisconnectReason.AllHostsDeparted, end.Reason);
        Assert.Equal(["g1", "g2"], end.Participants);
        Assert.True(conference.HasEnded);
    }

    [Fact]
    public void AT_24_a_Host_who_rejoins_within_the_Guests_only_timeout_saves_the_conference_L7403()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Leave("h");
        _clock.SetSeconds(40);
        Assert.True(conference.Arrive("h2", Host, CallKind.Video).JoinsNow);
        Assert.Null(conference.GuestsOnlyDeadline);
        Assert.Empty(RunUntil(conference, 3600));
        Assert.False(conference.HasEnded);
        Assert.Equal(["g1", "h2"], conference.InConference);
    }

    [Fact]
    public void AT_24_Guests_only_timeout_0_ends_at_once_L7401()
    {
        var options = HostedConferenceOptions.Default with { GuestsOnlyTimeout = TimeSpan.Zero };
        var conference = Conference(options: options);
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g", Guest, CallKind.Video);
        AssertEnded(conference.Leave("h"), DisconnectReason.AllHostsDeparted, "g");
    }

    [Fact]
    public void A_new_Guest_during_the_Guests_only_period_waits_for_a_Host()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Leave("h");
        Assert.False(conference.Arrive("g2", Guest, CallKind.Video).JoinsNow);
        _clock.SetSeconds(60);
        Assert.Equal(["g1", "g2"], Assert.IsType<EndConference>(Assert.Single(conference.Tick())).Participants);
    }

    [Fact]
    public void Leaving_without_Hosts_in_a_conference_that_never_started_starts_no_timer()
    {
        var conference = Conference();
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Arrive("g2", Guest, CallKind.Video);
        Assert.Empty(conference.Leave("g1"));
        Assert.Null(conference.GuestsOnlyDeadline);
    }

    [Fact]
    public void AT_25_a_control_only_Host_must_start_the_meeting_L6948_L7864()
    {
        var conference = Conference();
        conference.Arrive("g", Guest, CallKind.Video);
        var host = conference.Arrive("ic-host", Host, CallKind.ControlOnly);
        Assert.Equal([new JoinConference("ic-host")], host.Actions);
        Assert.Equal(["g"], conference.Waiting);
        Assert.Equal([new JoinConference("g")], conference.StartMeeting());
    }

    [Fact]
    public void AT_29_locked_with_a_Host_PIN_Guests_wait_and_Hosts_are_alerted_Host_PIN_and_Host_invitees_join_L7819_L7829()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        Assert.Equal([new LockChanged(true, 0)], conference.Dtmf("h", "*7"));
        var guest = conference.Arrive("g", Guest, CallKind.Video);
        Assert.False(guest.JoinsNow);
        var alert = guest.Actions.OfType<AlertHosts>().Single();
        Assert.Equal(("g", PromptCatalogue.ParticipantLockedOut), (alert.WaitingParticipantId, alert.PromptId));
        Assert.Equal(["h"], alert.Hosts);
        Assert.True(conference.Arrive("h2", Host, CallKind.Video).JoinsNow);
        Assert.True(conference.Arrive("adp-host", Host, CallKind.Video, ArrivalKind.Invited).JoinsNow);
        Assert.False(conference.Arrive("adp-guest", Guest, CallKind.Video, ArrivalKind.Invited).JoinsNow);
    }

    [Fact]
    public void AT_30_admit_reject_and_unlock_L7854_L7877()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Lock();
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Arrive("g2", Guest, CallKind.Video);
        Assert.Equal([new JoinConference("g1")], conference.Admit("g1"));
        Assert.Equal([new Disconnect("g2", DisconnectReason.RejectedByHost)], conference.Reject("g2"));
        conference.Arrive("g3", Guest, CallKind.Video);
        Assert.Equal([new LockChanged(false, 0), new JoinConference("g3")], conference.Dtmf("h", "*7"));
        Assert.Equal(["h", "g1", "g3"], conference.InConference);
    }

    [Fact]
    public void AT_31_locked_without_a_Host_PIN_every_caller_waits_but_Host_invitees_join_unlock_lets_all_in_L7810_L7817()
    {
        var conference = Conference(hostPin: null, allowGuests: false);
        Assert.True(conference.Arrive("a", Host, CallKind.Video).JoinsNow);
        conference.Lock();
        var b = conference.Arrive("b", Host, CallKind.AudioOnly);
        Assert.False(b.JoinsNow);
        Assert.Contains(new PlayPrompt("b", PromptCatalogue.WaitForLeader), b.Actions);
        Assert.Contains(b.Actions, a => a is AlertHosts { WaitingParticipantId: "b" });
        Assert.True(conference.Arrive("adp", Host, CallKind.Video, ArrivalKind.Invited).JoinsNow);
        Assert.False(conference.Arrive("adp-guest", Guest, CallKind.Video, ArrivalKind.Invited).JoinsNow);
        Assert.Equal([new LockChanged(false, 0), new JoinConference("b"), new JoinConference("adp-guest")], conference.Unlock());
    }

    [Fact]
    public void AT_32_waiting_at_a_locked_conference_times_out_or_ends_with_it()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Lock();
        conference.Arrive("g", Guest, CallKind.Video);
        var log = RunUntil(conference, 900);
        Assert.Equal((900.0, (ConferenceAction)new Disconnect("g", DisconnectReason.WaitingForHostTimedOut)), log[^1]);

        conference.Arrive("g2", Guest, CallKind.Video);
        var end = Assert.IsType<EndConference>(Assert.Single(conference.Dtmf("h", "##")));
        Assert.Equal(["h", "g2"], end.Participants);
    }

    [Fact]
    public void Unlock_does_not_let_Guests_in_before_the_first_Host_Q12()
    {
        var conference = Conference();
        conference.Lock();
        conference.Arrive("g", Guest, CallKind.Video);
        Assert.Equal([new LockChanged(false, 1)], conference.Unlock());
        Assert.Equal(["g"], conference.Waiting);
    }

    [Fact]
    public void AT_33_star5_mutes_every_Guest_and_Guests_who_join_later_a_Host_may_unmute_one_R_MUTE_2()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Arrive("g2", Guest, CallKind.Video);
        Assert.Equal([new SetMuted("g1", true), new SetMuted("g2", true)], conference.Dtmf("h", "*5"));
        Assert.Equal([new JoinConference("g3"), new SetMuted("g3", true)], conference.Arrive("g3", Guest, CallKind.AudioOnly).Actions);
        Assert.Equal([new SetMuted("g2", false)], conference.SetMuted("g2", false));
        Assert.Equal(false, conference.IsMuted("h"));
        Assert.Equal([new SetMuted("g1", false), new SetMuted("g3", false)], conference.Dtmf("h", "*5"));
    }

    [Fact]
    public void AT_35_a_Virtual_Auditorium_with_Mute_all_Guests_mutes_Guests_on_join_L5583()
    {
        var conference = Conference(muteGuestsOnJoin: true);
        conference.Arrive("g", Guest, CallKind.Video);
        Assert.Equal([new JoinConference("h"), new JoinConference("g"), new SetMuted("g", true)], conference.Arrive("h", Host, CallKind.Video).Actions);
    }

    [Fact]
    public void AT_65_hashhash_from_a_Host_ends_the_conference_for_everyone_Guests_keys_do_nothing_L8151()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g", Guest, CallKind.Video);
        Assert.Empty(conference.Dtmf("g", "*7"));
        Assert.Empty(conference.Dtmf("g", "*5"));
        Assert.Empty(conference.Dtmf("g", "##"));
        Assert.False(conference.IsLocked);
        Assert.False(conference.GuestsMuted);
        AssertEnded(conference.Dtmf("h", "##"), DisconnectReason.EndedByDtmf, "h", "g");
        Assert.True(conference.HasEnded);
        Assert.Equal("#pex120", DisconnectReason.EndedByDtmf.Code); // L16094
    }

    [Fact]
    public void AT_66_DTMF_control_disabled_by_the_theme_does_nothing()
    {
        var conference = new HostedConference(PinPolicy.None, HostedConferenceOptions.Default, DtmfConferenceControl.Disabled, _clock);
        conference.Arrive("h", Host, CallKind.Video);
        Assert.Empty(conference.Dtmf("h", "*7##"));
    }

    [Fact]
    public void AT_26_a_promoted_Guest_keeps_the_conference_alive_and_nobody_demotes_themselves_L7040_L7052()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g", Guest, CallKind.Video);
        conference.ChangeRole("g", Host, requestedBy: "h");
        Assert.Empty(conference.Leave("h"));
        Assert.Null(conference.GuestsOnlyDeadline);
        Assert.Throws<InvalidOperationException>(() => conference.ChangeRole("g", Guest, requestedBy: "g"));
    }

    [Fact]
    public void A_waiting_Guest_who_enters_the_Host_PIN_joins_as_Host_and_lets_the_others_in_Q4()
    {
        var conference = Conference();
        conference.Arrive("g1", Guest, CallKind.AudioOnly);
        conference.Arrive("g2", Guest, CallKind.Video);
        Assert.Equal([new JoinConference("g1"), new JoinConference("g2")], conference.ChangeRole("g1", Host));
    }

    [Fact]
    public void Options_come_from_global_settings_L3162_L3165()
    {
        var options = HostedConferenceOptions.From(new Configuration.GlobalSettings { GuestsOnlyTimeoutSeconds = 120, WaitingForHostTimeoutSeconds = 300 });
        Assert.Equal(TimeSpan.FromSeconds(120), options.GuestsOnlyTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), options.WaitingForHostTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), options.AudioWaitingPromptInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.VideoWaitingPromptInterval);
    }

    [Theory]
    [InlineData(1, 90)]  // one Guest left at t=30: the backstop ends it 60 s later
    [InlineData(2, 120)] // two Guests left at t=30: the Guests-only timeout, 90 s later
    public void AT_54_Guests_only_and_last_participant_timers_are_independent_L7392_to_L7397(int guestsLeft, double endsAt)
    {
        var options = HostedConferenceOptions.Default with { GuestsOnlyTimeout = TimeSpan.FromSeconds(120), LastParticipantBackstop = TimeSpan.FromSeconds(60) };
        var conference = Conference(options: options);
        conference.Arrive("h", Host, CallKind.Video);
        conference.Arrive("g1", Guest, CallKind.Video);
        conference.Arrive("g2", Guest, CallKind.Video);
        conference.Arrive("g3", Guest, CallKind.Video);
        conference.Leave("h"); // t=0
        _clock.SetSeconds(30);
        for (var i = 3; i > guestsLeft; i--) conference.Leave($"g{i}");
        var log = RunUntil(conference, 200);
        var (at, action) = Assert.Single(log, e => e.Action is EndConference);
        Assert.Equal(endsAt, at);
        Assert.Equal(guestsLeft == 1 ? DisconnectReason.LastParticipantTimedOut : DisconnectReason.AllHostsDeparted, ((EndConference)action).Reason);
    }

    [Fact]
    public void AT_52_the_backstop_is_off_by_default_and_a_lone_Host_stays_L3163()
    {
        var conference = Conference();
        conference.Arrive("h", Host, CallKind.Video);
        Assert.Null(conference.NextDueAt);
        var withBackstop = Conference(options: HostedConferenceOptions.Default with { LastParticipantBackstop = TimeSpan.FromSeconds(60) });
        withBackstop.Arrive("h", Host, CallKind.Video);
        _clock.SetSeconds(30);
        withBackstop.Arrive("g", Guest, CallKind.Video);
        Assert.Null(withBackstop.LastParticipantDeadline); // two in: no backstop
        withBackstop.Leave("g");
        Assert.Equal(ManualClock.Epoch.AddSeconds(90), withBackstop.LastParticipantDeadline); // restarts when one is left again
    }
}
