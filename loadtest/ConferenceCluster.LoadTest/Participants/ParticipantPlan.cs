using System.Net;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>Who one simulated participant is and where it calls: fixed when the run is planned.</summary>
public sealed record ParticipantPlan
{
    /// <summary>0-based, unique in the run; also the SIP From user (loadtest-N).</summary>
    public required int Index { get; init; }

    /// <summary>The conference it joins, 0-based.</summary>
    public required int Conference { get; init; }

    /// <summary>Its position in the conference, 0-based; fixes its tone (<see cref="Audio.ToneFrequencyPlan.FrequencyOf"/>).</summary>
    public required int Slot { get; init; }

    /// <summary>The alias dialled (the Request-URI's user part).</summary>
    public required string Alias { get; init; }

    /// <summary>The Request-URI of the INVITE.</summary>
    public required SipUri RequestUri { get; init; }

    /// <summary>Where the INVITE goes: a silo's SIP port or the front door.</summary>
    public required IPEndPoint NextHop { get; init; }

    /// <summary>A talker sends its tone all the time it is in; the others send digital silence.</summary>
    public required bool IsTalker { get; init; }

    /// <summary>The tones of the conference's talkers by slot (slot k at index k): what a listener watches for.</summary>
    public required IReadOnlyList<int> TalkerTonesHz { get; init; }

    /// <summary>The PIN keyed (RFC 4733) on the PIN entry screen, without the final '#'; null when the room has none.</summary>
    public string? Pin { get; init; }

    /// <summary>Whether it keys the guest PIN (reported only: the cluster decides the role from the PIN).</summary>
    public bool IsGuest { get; init; }

    public int ToneHz => Audio.ToneFrequencyPlan.FrequencyOf(Slot);
}
