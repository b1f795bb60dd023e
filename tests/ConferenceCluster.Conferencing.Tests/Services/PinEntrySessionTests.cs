using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Conferencing.Services.Prompts;
using static ConferenceCluster.Conferencing.Services.PinEntryEvent;

namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>PIN entry (R-PIN-1..7, seed L6890–7074) and the acceptance tests AT-13..AT-19.</summary>
public class PinEntrySessionTests
{
    private readonly ManualClock _clock = new();

    private PinEntrySession Session(string? hostPin, string? guestPin = null, bool allowGuests = false, bool clientApi = false) =>
        new(new PinPolicy(hostPin, guestPin, allowGuests), PinEntryOptions.Default, _clock, clientApi);

    private static ParticipantRole? RoleIn(IEnumerable<PinEntryEvent> events) => events.OfType<Admitted>().SingleOrDefault()?.Role;

    private static string[] Prompts(IEnumerable<PinEntryEvent> events) => events.OfType<PlayPrompt>().Select(p => p.PromptId).ToArray();

    [Fact]
    public void AT_13_no_PIN_everyone_is_Host_with_no_IVR_L6995()
    {
        var events = Session(null).Start();
        Assert.Equal([new Admitted(ParticipantRole.Host)], events);
    }

    [Fact]
    public void AT_14_single_PIN_prompt_then_Host_L6996_L7037()
    {
        var session = Session("1234");
        Assert.Equal([PromptCatalogue.GetPin], Prompts(session.Start()));
        var events = session.Digits("1234");
        Assert.Equal(ParticipantRole.Host, RoleIn(events));
        Assert.Equal(PinEntryState.Admitted, session.State);
        Assert.Null(session.Deadline);
    }

    [Fact]
    public void AT_14_a_PIN_without_hash_is_judged_at_its_digit_count_L7017()
    {
        var session = Session("1234");
        session.Start();
        Assert.Empty(session.Digits("123"));
        var events = session.Digits("5");
        Assert.Equal([PromptCatalogue.InvalidPin, PromptCatalogue.GetPin], Prompts(events));
        Assert.Equal(new PinAttempt(1, false, null, PinSource.Keypad, ManualClock.Epoch), events[0]);
        Assert.Equal(1, session.FailedAttempts);
        Assert.Equal(ParticipantRole.Host, RoleIn(session.Digits("1234"))); // retry allowed
    }

    [Fact]
    public void Hash_before_the_digit_count_restarts_entry_without_costing_an_attempt_L7016()
    {
        var session = Session("1234");
        session.Start();
        var events = session.Digits("12#");
        Assert.Equal([PromptCatalogue.GetPin], Prompts(events));
        Assert.Equal(0, session.FailedAttempts);
        Assert.Equal(ParticipantRole.Host, RoleIn(session.Digits("1234")));
    }

    [Fact]
    public void AT_15_three_wrong_PINs_invalid_prompt_then_disconnect_and_every_attempt_logged_L7007_L7009()
    {
        var session = Session("1234");
        session.Start();
        var all = new List<PinEntryEvent>();
        all.AddRange(session.Digits("1111"));
        all.AddRange(session.Digits("2222"));
        Assert.Equal(PinEntryState.Collecting, session.State);
        var third = session.Digits("3333");
        all.AddRange(third);
        Assert.Equal([new PinAttempt(3, false, null, PinSource.Keypad, ManualClock.Epoch), new PlayPrompt(PromptCatalogue.InvalidPin),
            new Disconnect(DisconnectReason.PinEntryRetriesExceeded)], third);
        Assert.Equal([1, 2, 3], all.OfType<PinAttempt>().Select(a => a.Number));
        Assert.Equal("#pex192", DisconnectReason.PinEntryRetriesExceeded.Code); // L16118
        Assert.Empty(session.Digits("1234")); // the call is gone
    }

    [Fact]
    public void AT_16_PIN_entry_timeout_is_not_restarted_by_an_attempt_L7068_L7070()
    {
        var session = Session("1234");
        session.Start();
        _clock.SetSeconds(30);
        session.Digits("9999");
        Assert.Equal(ManualClock.Epoch.AddSeconds(120), session.Deadline);
        _clock.SetSeconds(119);
        Assert.Empty(session.Tick());
        _clock.SetSeconds(120);
        Assert.Equal([new Disconnect(DisconnectReason.PinEntryTimedOut)], session.Tick());
        Assert.Equal(PinEntryState.Disconnected, session.State);
    }

    [Fact]
    public void PIN_entry_timeout_comes_from_global_settings_L3164()
    {
        var options = PinEntryOptions.From(new Configuration.GlobalSettings { PinEntryTimeoutSeconds = 45 });
        var session = new PinEntrySession(new PinPolicy("1234", null, false), options, _clock);
        session.Start();
        Assert.Equal(ManualClock.Epoch.AddSeconds(45), session.Deadline);
    }

    [Fact]
    public void AT_17_client_API_has_no_attempt_limit_no_timeout_and_an_optional_hash_L7007_L7023_L7074()
    {
        var session = Session("1234#", clientApi: true);
        Assert.Empty(session.Start()); // no prompt, no deadline
        Assert.Null(session.Deadline);
        for (var i = 0; i < 5; i++)
        {
            var events = session.Submit("0000");
            Assert.Equal([new PinAttempt(i + 1, false, null, PinSource.ClientApi, _clock.GetUtcNow())], events);
        }
        _clock.SetSeconds(180);
        Assert.Empty(session.Tick());
        Assert.Equal(PinEntryState.Collecting, session.State);
        Assert.Equal(ParticipantRole.Host, RoleIn(session.Submit("1234"))); // without the '#'
    }

    [Fact]
    public void AT_18_terminal_hash_PINs_are_judged_at_hash_whatever_their_length_L7013_L7031()
    {
        var session = Session("1234#", "567890#", allowGuests: true);
        Assert.Equal([PromptCatalogue.GetPinPoundKey], Prompts(session.Start()));
        Assert.Empty(session.Digits("1234")); // no judgement before '#'
        Assert.Equal(ParticipantRole.Host, RoleIn(session.Digits("#")));

        var guest = Session("1234#", "567890#", allowGuests: true);
        guest.Start();
        Assert.Equal(ParticipantRole.Guest, RoleIn(guest.Digits("567890#")));

        var wrong = Session("1234#", "567890#", allowGuests: true);
        wrong.Start();
        var events = wrong.Digits("12#");
        Assert.Equal([PromptCatalogue.InvalidPin, PromptCatalogue.GetPinPoundKey], Prompts(events));
        Assert.Equal(1, wrong.FailedAttempts); // a wrong length costs an attempt, so the length stays hidden
        Assert.Equal([PromptCatalogue.GetPinPoundKey], Prompts(wrong.Digits("#"))); // a lone '#' just restarts entry...
        Assert.Equal(1, wrong.FailedAttempts); // ...for free
    }

    [Fact]
    public void AT_19_PIN_in_the_dial_string_skips_the_PIN_screen_and_needs_no_hash_L7054_L7066()
    {
        Assert.Equal([new PinAttempt(1, true, ParticipantRole.Host, PinSource.DialString, ManualClock.Epoch), new Admitted(ParticipantRole.Host)],
            Session("1234", "5678", allowGuests: true).Start("1234"));
        Assert.Equal(ParticipantRole.Guest, RoleIn(Session("1234", "5678", allowGuests: true).Start("5678")));
        Assert.Equal(ParticipantRole.Host, RoleIn(Session("1234#").Start("1234")));
        // A wrong dial-string PIN is an attempt, and the caller lands on the PIN screen.
        var session = Session("1234");
        Assert.Equal([PromptCatalogue.InvalidPin, PromptCatalogue.GetPin], Prompts(session.Start("9999")));
        Assert.Equal(1, session.FailedAttempts);
    }

    [Fact]
    public void R_PIN_2_role_matrix_L6990_to_L7003()
    {
        // Host PIN, Allow Guests No: the one PIN makes everyone a Host.
        Assert.Equal(ParticipantRole.Host, RoleIn(Session("1234").Start("1234")));
        // Host and Guest PINs.
        Assert.Equal(ParticipantRole.Host, RoleIn(Session("1234", "5678", true).Start("1234")));
        Assert.Equal(ParticipantRole.Guest, RoleIn(Session("1234", "5678", true).Start("5678")));
        // A Guest PIN means nothing where Guests are not allowed (L5531).
        Assert.Null(RoleIn(Session("1234", "5678", false).Start("5678")));
    }

    [Fact]
    public void R_PIN_2_row_3_Guests_need_no_PIN_a_lone_hash_makes_a_Guest_L6997()
    {
        var session = Session("1234", allowGuests: true);
        Assert.Equal([PromptCatalogue.GetPin], Prompts(session.Start()));
        var events = session.Digits("#");
        Assert.Equal(ParticipantRole.Guest, RoleIn(events));
        Assert.Equal(new PinAttempt(1, true, ParticipantRole.Guest, PinSource.NoPinAsGuest, ManualClock.Epoch), events[0]);
        Assert.Equal(PinEntryState.GuestListeningForHostPin, session.State);
        Assert.Null(session.Deadline); // off the PIN screen: the Waiting-for-Host timeout applies now

        Assert.Equal(ParticipantRole.Host, RoleIn(Session("1234", allowGuests: true).Start("1234")));
        var client = Session("1234", allowGuests: true, clientApi: true);
        client.Start();
        Assert.Equal(ParticipantRole.Guest, RoleIn(client.Submit("")));
        Assert.Equal(PromptCatalogue.WaitHostPin, new PinPolicy("1234", null, true).WaitingPrompt);
        Assert.Equal(PromptCatalogue.WaitHostPinPoundKey, new PinPolicy("1234#", null, true).WaitingPrompt);
        Assert.Equal(PromptCatalogue.WaitForLeader, new PinPolicy("1234", "5678", true).WaitingPrompt);
    }

    [Fact]
    public void A_waiting_Guest_who_types_the_Host_PIN_becomes_Host_L8441()
    {
        var session = Session("1234", allowGuests: true);
        session.Start();
        session.Digits("#");
        _clock.SetSeconds(300); // long past the PIN entry timeout: it no longer applies
        Assert.Empty(session.Tick());
        var wrong = session.Digits("9999");
        Assert.Equal([PromptCatalogue.InvalidPin], Prompts(wrong)); // the waiting prompt carries on, no PIN re-prompt
        Assert.Equal(ParticipantRole.Host, RoleIn(session.Digits("1234")));
        Assert.Equal(PinEntryState.Admitted, session.State);

        var joined = Session("1234", allowGuests: true);
        joined.Start();
        joined.Digits("#");
        joined.StopListening(); // in the conference: digits are DTMF control now
        Assert.Empty(joined.Digits("1234"));
    }

    [Fact]
    public void Entry_longer_than_any_PIN_is_wrong_without_waiting_for_hash_L5530()
    {
        var session = Session("1234#");
        session.Start();
        var events = session.Digits(new string('7', 20));
        Assert.Equal(1, session.FailedAttempts);
        Assert.Contains(new PlayPrompt(PromptCatalogue.InvalidPin), events);
    }

    [Fact]
    public void AT_27_a_Host_admits_a_caller_from_the_PIN_screen_without_a_PIN_L7044()
    {
        var session = Session("1234", "5678", allowGuests: true);
        session.Start();
        Assert.Null(session.Role); // the roster's "Unknown" (L14181)
        Assert.Equal([new Admitted(ParticipantRole.Guest)], session.AdmitWithoutPin(ParticipantRole.Guest));
        Assert.Null(session.Deadline);
        Assert.Empty(session.Digits("1234"));

        var client = Session("1234", clientApi: true);
        client.Start();
        Assert.Empty(client.AdmitWithoutPin(ParticipantRole.Host));
    }
}
