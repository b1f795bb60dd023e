namespace ConferenceCluster.Conferencing.Services.Prompts;

/// <summary>One voice prompt of the Base theme: its id (the seed's file name without <c>_48kHz_mono.wav</c>) and words.</summary>
public sealed record Prompt(string Id, string Text, string SeedLine);

/// <summary>
/// The prompts the conference services play (Base theme audio files, L8409–8443). Ids are plain strings so a
/// theme can later supply its own files under the same names.
/// </summary>
public static class PromptCatalogue
{
    /// <summary>PIN entry screen, PINs without a terminal <c>#</c> (R-PIN-5, L7037).</summary>
    public const string GetPin = "conf-getpin";

    /// <summary>PIN entry screen, PINs ending in <c>#</c> (R-PIN-5, L7031).</summary>
    public const string GetPinPoundKey = "conf-getpin_pound-key";

    /// <summary>After a wrong PIN, and before the disconnect after the third (R-PIN-4, L7007).</summary>
    public const string InvalidPin = "conf-invalidpin";

    /// <summary>Waiting for the host, when no Host PIN can be entered from the waiting screen (R-HG-1).</summary>
    public const string WaitForLeader = "conf-waitforleader";

    /// <summary>Waiting for the host, where a waiting caller may still type the Host PIN (R-HG-1, Q4).</summary>
    public const string WaitHostPin = "conf-waithostpin";

    /// <summary>As <see cref="WaitHostPin"/> for PINs ending in <c>#</c>.</summary>
    public const string WaitHostPinPoundKey = "conf-waithostpin_pound-key";

    /// <summary>To the Guests left when the last Host leaves (R-HG-5).</summary>
    public const string LeaderHasLeft = "conf-leaderhasleft";

    /// <summary>"Three knocks": tells Hosts someone is waiting at a locked conference (R-LOCK-2/3).</summary>
    public const string ParticipantLockedOut = "conf-participant_locked_out";

    /// <summary>On entering the conference.</summary>
    public const string PlaceIntoConference = "conf-placeintoconf";

    public const string CallWillBeDisconnected = "conf-call-will-be-disconnected";

    /// <summary>Participant limit or platform capacity reached (R-LIMIT-1).</summary>
    public const string CapacityExceeded = "conf-capacity_exceeded";

    /// <summary>The lone participant (R-HG-4).</summary>
    public const string YouAreTheOnlyParticipant = "conf-you_are_the_only_participant";

    public static IReadOnlyList<Prompt> All { get; } =
    [
        new(GetPin, "Please enter the conference PIN number.", "L8418"),
        new(GetPinPoundKey, "Please enter the conference PIN number, followed by the pound key.", "L8419"),
        new(InvalidPin, "The PIN is invalid for this conference.", "L8422"),
        new(WaitForLeader, "Waiting for the conference Host to join.", "L8440"),
        new(WaitHostPin, "Waiting for the conference Host to join. If you are the conference Host, please enter the conference PIN number now.", "L8441"),
        new(WaitHostPinPoundKey, "Waiting for the conference Host to join. If you are the conference Host, please enter the conference PIN number followed by the pound key.", "L8442"),
        new(LeaderHasLeft, "The Host has left the conference. The conference is about to end.", "L8423"),
        new(ParticipantLockedOut, "Three knocks.", "L8427"),
        new(PlaceIntoConference, "Welcome to the conference.", "L8428"),
        new(CallWillBeDisconnected, "Your call will be disconnected.", "L8416"),
        new(CapacityExceeded, "The conferencing system capacity has been exceeded.", "L8417"),
        new(YouAreTheOnlyParticipant, "You are the only participant in the conference.", "L8443"),
    ];

    private static readonly Dictionary<string, Prompt> ById = All.ToDictionary(p => p.Id);

    public static Prompt Get(string id) =>
        ById.TryGetValue(id, out var prompt) ? prompt : throw new KeyNotFoundException($"No prompt \"{id}\" in the catalogue.");

    /// <summary>The PIN prompt that matches how the room's PINs end (L7031, L7037).</summary>
    public static string PinPrompt(bool terminalHash) => terminalHash ? GetPinPoundKey : GetPin;
}
