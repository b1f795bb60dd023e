using System.Security.Cryptography;
using System.Text;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services.Prompts;

namespace ConferenceCluster.Conferencing.Services;

/// <summary>
/// A room's PINs read as the role matrix of R-PIN-2 (L6990–7003): which PIN makes a Host, which a Guest, and
/// whether Guests come in without one. Built from a configuration that <see cref="VirtualMeetingRoom.Validate"/>
/// accepted; it does not re-validate.
/// </summary>
public sealed record PinPolicy
{
    /// <summary>No PINs: everyone joins at once as Host (R-PIN-2 row 1).</summary>
    public static readonly PinPolicy None = new(null, null, allowGuests: false);

    public PinPolicy(string? hostPin, string? guestPin, bool allowGuests)
    {
        HostPin = string.IsNullOrEmpty(hostPin) ? null : hostPin;
        // A Guest PIN only means something when Guests are allowed (L5531: "No: everyone has Host privileges").
        GuestPin = allowGuests && !string.IsNullOrEmpty(guestPin) ? guestPin : null;
        AllowGuests = allowGuests;
    }

    public static PinPolicy For(VirtualMeetingRoom room) => new(room.HostPin, room.GuestPin, room.AllowGuests);

    public string? HostPin { get; }

    public string? GuestPin { get; }

    public bool AllowGuests { get; }

    /// <summary>A caller meets the PIN entry screen (R-PIN-3, L6890); only rooms without a Host PIN let everyone straight in.</summary>
    public bool RequiresPinEntry => HostPin is not null;

    /// <summary>R-PIN-2 row 3: Host PIN, Allow Guests, no Guest PIN: anyone without the Host PIN is a Guest with no PIN.</summary>
    public bool GuestsJoinWithoutPin => AllowGuests && HostPin is not null && GuestPin is null;

    /// <summary>The PINs end in <c>#</c> (both or neither, L7019): entry ends with <c>#</c> and the length stays hidden (L7013–7017).</summary>
    public bool TerminalHash => HostPin?.EndsWith('#') == true;

    /// <summary>Without a terminal <c>#</c>, entry is judged after this many digits (both PINs have it, L5532, L7017).</summary>
    public int? DigitCount => HostPin is null || TerminalHash ? null : HostPin.Length;

    /// <summary>Longest entry worth collecting: 20 characters including the <c>#</c> (L5530).</summary>
    public const int MaximumDigits = 20;

    /// <summary>The PIN prompt to play (L7031, L7037).</summary>
    public string PinPrompt => PromptCatalogue.PinPrompt(TerminalHash);

    /// <summary>
    /// What a waiting caller hears. Where Guests come in without a PIN the caller may still be a Host who has not
    /// typed the PIN yet, so the prompt invites it (L8441–8442, Q4); elsewhere the plain message (L8440).
    /// </summary>
    public string WaitingPrompt => GuestsJoinWithoutPin
        ? TerminalHash ? PromptCatalogue.WaitHostPinPoundKey : PromptCatalogue.WaitHostPin
        : PromptCatalogue.WaitForLeader;

    /// <summary>The role a PIN grants, with or without its terminal <c>#</c>; <c>null</c> for a wrong PIN.</summary>
    public ParticipantRole? RoleFor(string entered)
    {
        var digits = entered.TrimEnd('#');
        if (HostPin is null) return ParticipantRole.Host;
        if (SameDigits(digits, HostPin)) return ParticipantRole.Host;
        if (GuestPin is not null && SameDigits(digits, GuestPin)) return ParticipantRole.Guest;
        return null;
    }

    /// <summary>Constant-time, so response timing tells a PIN guesser nothing.</summary>
    private static bool SameDigits(string digits, string pin) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(digits), Encoding.ASCII.GetBytes(pin.TrimEnd('#')));
}
