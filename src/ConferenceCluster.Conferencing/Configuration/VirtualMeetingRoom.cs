using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>One alias of a service (L5555–5556): matched exactly, case-insensitively; no wildcards or regex.</summary>
public sealed record ServiceAlias(string Alias, string Description = "");

/// <summary>
/// A Virtual Meeting Room (Services &gt; Virtual Meeting Rooms, L5524–5557), with the fields that decide admission
/// and media cost, and its View (the layout everyone sees). Theme and chat fields are not modelled here.
/// </summary>
public sealed record VirtualMeetingRoom
{
    public VirtualMeetingRoom(string name) => Name = name;

    public string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Every alias leads to the same conference instance (R70, L522).</summary>
    public IReadOnlyList<ServiceAlias> Aliases { get; init; } = [];

    /// <summary>Blank means no PIN. 4–20 digits, optionally ending in '#' (L5530).</summary>
    public string? HostPin { get; init; }

    /// <summary>Default No: everyone joins as Host (L5531).</summary>
    public bool AllowGuests { get; init; }

    /// <summary>Only with a Host PIN and Allow Guests (L5532).</summary>
    public string? GuestPin { get; init; }

    /// <summary><c>null</c> = "Use global setting" (L5546).</summary>
    public MaximumCallQuality? MaximumCallQuality { get; init; }

    /// <summary>Default main video + presentation (L5545).</summary>
    public ConferenceCapabilities ConferenceCapabilities { get; init; } = ConferenceCapabilities.MainVideoAndPresentation;

    /// <summary><c>null</c> = "Use global setting" (L5549).</summary>
    public MediaEncryption? MediaEncryption { get; init; }

    /// <summary>Maximum participants at one time; <c>null</c> = unlimited (L5550).</summary>
    public int? ParticipantLimit { get; init; }

    /// <summary>Default Yes (L5541).</summary>
    public bool GuestsCanPresent { get; init; } = true;

    /// <summary>
    /// The View: the layout every participant sees (L5535, default 1+7; in a VMR Hosts and Guests alike, L7165). A Host
    /// may change it for the running conference (L7089); the room's setting applies again to the next one.
    /// </summary>
    public LayoutKind View { get; init; } = LayoutKinds.Default;

    public int? MaximumInboundCallBandwidthKbps { get; init; }

    public int? MaximumOutboundCallBandwidthKbps { get; init; }

    /// <summary>Unique identifier for usage tracking (L5551).</summary>
    public string? ServiceTag { get; init; }

    /// <summary>The call quality in force for this room: its own, or the global one (L5546, L3171).</summary>
    public MaximumCallQuality EffectiveMaximumCallQuality(GlobalSettings global) => MaximumCallQuality ?? global.MaximumCallQuality;

    /// <summary>Checks the PIN rules (R-PIN-1, L5530–5532, L7019), aliases (L5555, L6784) and limits.</summary>
    public ValidationReport Validate()
    {
        var entity = FieldLimits.Entity("conference", Name);
        var issues = new List<ConfigurationIssue>();
        void Error(string field, string rule, string message) => issues.Add(new(IssueSeverity.Error, entity, field, rule, message));

        if (string.IsNullOrWhiteSpace(Name))
            Error("name", "L5527", "A Virtual Meeting Room needs a name.");
        issues.AddRange(new[]
        {
            FieldLimits.TooLong(entity, "name", Name, FieldLimits.Name, "L9511"),
            FieldLimits.TooLong(entity, "description", Description, FieldLimits.Description, "L9513"),
            FieldLimits.TooLong(entity, "tag", ServiceTag, FieldLimits.ServiceTag, "L9428"),
        }.OfType<ConfigurationIssue>());
        for (var i = 0; i < Aliases.Count; i++)
        {
            issues.AddRange(new[]
            {
                FieldLimits.TooLong(entity, $"aliases[{i}].alias", Aliases[i].Alias, FieldLimits.Alias, "L9535"),
                FieldLimits.TooLong(entity, $"aliases[{i}].description", Aliases[i].Description, FieldLimits.Description, "L9537"),
            }.OfType<ConfigurationIssue>());
        }

        var hostPin = string.IsNullOrEmpty(HostPin) ? null : HostPin;
        var guestPin = string.IsNullOrEmpty(GuestPin) ? null : GuestPin;
        if (hostPin is not null && PinFormatError(hostPin) is { } hostError)
            Error("pin", "R-PIN-1", $"Host PIN {hostError} (L5530).");
        if (guestPin is not null && PinFormatError(guestPin) is { } guestError)
            Error("guest_pin", "R-PIN-1", $"Guest PIN {guestError} (L5532).");
        if (AllowGuests && hostPin is null)
            Error("pin", "R-PIN-2", "A Host PIN must be configured when Guests are allowed (L5531).");
        if (guestPin is not null && hostPin is null)
            Error("guest_pin", "R-PIN-1", "A Guest PIN cannot be set without a Host PIN (L5532).");
        if (hostPin is not null && guestPin is not null)
        {
            bool hostHash = hostPin.EndsWith('#'), guestHash = guestPin.EndsWith('#');
            if (hostPin.TrimEnd('#') == guestPin.TrimEnd('#'))
                Error("guest_pin", "R-PIN-1", "The Guest PIN must differ from the Host PIN (L5532).");
            else if (hostHash != guestHash)
                Error("guest_pin", "R-PIN-1", "The Host and Guest PINs must both end in '#' or neither (L7019).");
            else if (!hostHash && hostPin.Length != guestPin.Length)
                Error("guest_pin", "R-PIN-1", "Without a trailing '#', the Host and Guest PINs must have the same number of digits (L5532).");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Aliases.Count; i++)
        {
            var alias = Aliases[i].Alias;
            if (string.IsNullOrWhiteSpace(alias) || alias.Any(c => char.IsWhiteSpace(c) || "*?[]()|^$+\\{}".Contains(c)))
                Error($"aliases[{i}].alias", "L5555", $"Alias \"{alias}\" is empty or contains whitespace, a wildcard or a regex character (L6784).");
            else if (!seen.Add(alias))
                Error($"aliases[{i}].alias", "R-ALIAS-1", $"Alias \"{alias}\" is listed twice (aliases match case-insensitively, L6788).");
        }

        if (ParticipantLimit is < 1)
            Error("participant_limit", "L5550", $"Participant limit {ParticipantLimit} must be at least 1, or blank for unlimited.");
        if (MaximumInboundCallBandwidthKbps is < 1)
            Error("max_callrate_in", "L5543", "Maximum inbound call bandwidth must be positive, or blank.");
        if (MaximumOutboundCallBandwidthKbps is < 1)
            Error("max_callrate_out", "L5544", "Maximum outbound call bandwidth must be positive, or blank.");
        return new ValidationReport(issues);
    }

    /// <summary>Digits 0-9, an optional trailing '#', 4–20 characters including the '#' (L5530).</summary>
    private static string? PinFormatError(string pin)
    {
        var digits = pin.EndsWith('#') ? pin[..^1] : pin;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            return "must be digits 0-9 with an optional trailing '#'";
        if (pin.Length is < 4 or > 20)
            return $"is {pin.Length} characters long; it must be 4–20 including any '#'";
        return null;
    }
}
