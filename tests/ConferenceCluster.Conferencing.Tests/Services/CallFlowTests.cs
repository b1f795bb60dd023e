using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Conferencing.Services.Prompts;

namespace ConferenceCluster.Conferencing.Tests.Services;

/// <summary>
/// The three service classes wired the way a SIP call controller and a ConferenceGrain would wire them: break-in
/// check → PIN entry → arrival in the conference, DTMF to PIN entry until the call is in, then to the conference.
/// </summary>
public class CallFlowTests
{
    private readonly ManualClock _clock = new();
    private readonly BreakInResistance _breakIn;
    private readonly PinPolicy _pins = new("1234", null, allowGuests: true); // R-PIN-2 row 3
    private readonly HostedConference _conference;
    /// <summary>What each leg heard, and how each ended.</summary>
    private readonly Dictionary<string, List<string>> _heard = [];
    private readonly Dictionary<string, string> _ended = [];
    private readonly Dictionary<string, PinEntrySession> _legs = [];

    public CallFlowTests()
    {
        _breakIn = new BreakInResistance(_clock);
        _conference = new HostedConference(_pins, HostedConferenceOptions.Default, DtmfConferenceControl.Default, _clock);
    }

    /// <summary>The SIP layer's INVITE: false means "answer 404", the service looks as if it did not exist (L4365).</summary>
    private bool Call(string leg)
    {
        if (!_breakIn.CheckService("meet.alice").Allowed) return false;
        _heard[leg] = [];
        _legs[leg] = new PinEntrySession(_pins, PinEntryOptions.Default, _clock);
        Handle(leg, _legs[leg].Start());
        return true;
    }

    /// <summary>DTMF: to PIN entry while the leg is not in the conference, to conference control once it is.</summary>
    private void Keys(string leg, string digits)
    {
        if (_conference.InConference.Contains(leg)) Apply(_conference.Dtmf(leg, digits));
        else Handle(leg, _legs[leg].Digits(digits));
    }

    private void Handle(string leg, IReadOnlyList<PinEntryEvent> events)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case PinEntryEvent.PlayPrompt p: _heard[leg].Add(p.PromptId); break;
                case PinEntryEvent.PinAttempt { Correct: false }: _breakIn.RecordIncorrectPin("meet.alice"); break;
                case PinEntryEvent.Disconnect d: _ended[leg] = d.Reason.Text; break;
                case PinEntryEvent.Admitted a when _conference.RoleOf(leg) is null:
                    Apply(_conference.Arrive(leg, a.Role, CallKind.AudioOnly).Actions);
                    break;
                case PinEntryEvent.Admitted a: // typed the Host PIN on the waiting screen
                    Apply(_conference.ChangeRole(leg, a.Role));
                    break;
            }
        }
    }

    private void Apply(IEnumerable<ConferenceAction> actions)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case ConferenceAction.PlayPrompt p: _heard[p.ParticipantId].Add(p.PromptId); break;
                case ConferenceAction.JoinConference j: _legs[j.ParticipantId].StopListening(); break;
                case ConferenceAction.Disconnect d: _ended[d.ParticipantId] = d.Reason.Text; break;
                case ConferenceAction.EndConference end:
                    foreach (var p in end.Participants) _ended[p] = end.Reason.Text;
                    break;
            }
        }
    }

    [Fact]
    public void AT_21_a_Guest_presses_hash_waits_and_is_let_in_when_a_Host_dials_in_with_the_PIN()
    {
        Assert.True(Call("guest"));
        Keys("guest", "#");
        _clock.SetSeconds(15);
        Apply(_conference.Tick());
        Assert.Equal([PromptCatalogue.GetPin, PromptCatalogue.WaitHostPin, PromptCatalogue.WaitHostPin], _heard["guest"]);

        Assert.True(Call("host"));
        Keys("host", "1234");
        Assert.Equal(["guest", "host"], _conference.InConference.Order());
        Keys("guest", "*7"); // a Guest's keys do nothing (AT-65)
        Assert.False(_conference.IsLocked);
        Keys("host", "*7");
        Assert.True(_conference.IsLocked);
    }

    [Fact]
    public void A_Host_who_first_pressed_hash_can_still_type_the_PIN_from_the_waiting_screen_L8441()
    {
        Call("late-host");
        Keys("late-host", "#");
        Assert.Equal(["late-host"], _conference.Waiting);
        Keys("late-host", "1234");
        Assert.Equal(ParticipantRole.Host, _conference.RoleOf("late-host"));
        Assert.Equal(["late-host"], _conference.InConference);
    }

    [Fact]
    public void R_BRK_1_seven_callers_with_three_wrong_PINs_each_make_21_failures_and_the_eighth_gets_a_404_L4365()
    {
        for (var i = 0; i < 7; i++)
        {
            Assert.True(Call($"attacker{i}"));
            Keys($"attacker{i}", "000011112222");
            Assert.Equal("Participant exceeded PIN entry retries", _ended[$"attacker{i}"]);
            _clock.AdvanceSeconds(60);
        }
        Assert.False(Call("attacker7"));
        Assert.False(Call("the-real-host")); // everyone: the VMR looks as if it did not exist
        _clock.AdvanceSeconds(600);
        Assert.True(Call("the-real-host"));
    }
}
