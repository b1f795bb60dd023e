namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>
/// A system location (Platform &gt; Locations, seed L3240–3378): a group of Conferencing Nodes in one physical place,
/// and the place where the media of calls signalled in it is processed.
/// </summary>
/// <remarks>
/// Only the fields the conferencing domain uses, or an administrator expects to see on a location, are modelled.
/// DNS/NTP servers, gatekeepers, SIP proxies, TURN/STUN, policy profiles and event sinks are network plumbing
/// that belongs to the host, not to media placement, and are left out here.
/// </remarks>
public sealed record SystemLocation
{
    public SystemLocation(string name) => Name = name;

    /// <summary>Unique name (L3353).</summary>
    public string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>
    /// The location that transcodes media for calls signalled in this location (L3370). <c>null</c> means
    /// "This location", the seed's default; use <see cref="EffectiveTranscodingLocation"/> to resolve it.
    /// A location holding Proxying Edge Nodes should name another location (R11, L1546, L1563).
    /// </summary>
    public string? TranscodingLocation { get; init; }

    /// <summary>Used when the transcoding location has no transcoding resource for the call (L3371, R23).</summary>
    public string? PrimaryOverflowLocation { get; init; }

    /// <summary>Used when both the transcoding and the primary overflow location are full (L3372, R24).</summary>
    public string? SecondaryOverflowLocation { get; init; }

    /// <summary>MTU in bytes, default 1500 (L3367).</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>DSCP for media, line-side and backplane (L3368); blank means untagged.</summary>
    public int? MediaDscp { get; init; }

    /// <summary>DSCP for signalling, line-side and backplane (L3369); blank means untagged.</summary>
    public int? SignalingDscp { get; init; }

    /// <summary>Break-in resistance override, applied by the location of the signalling node (L3377, R-LOC-13).</summary>
    public GlobalSettingOverride PinBruteForceResistance { get; init; } = GlobalSettingOverride.UseGlobalSetting;

    public GlobalSettingOverride VoipScannerResistance { get; init; } = GlobalSettingOverride.UseGlobalSetting;

    /// <summary>True when <see cref="TranscodingLocation"/> is "This location".</summary>
    public bool TranscodesInThisLocation =>
        TranscodingLocation is null || string.Equals(TranscodingLocation, Name, StringComparison.Ordinal);

    public string EffectiveTranscodingLocation => TranscodingLocation ?? Name;

    /// <summary>
    /// The ordered media locations for calls signalled here: transcoding, then primary, then secondary overflow
    /// (R19, L2143, L2186). Only this location's own settings count; an overflow location's overflow locations are
    /// never followed (R20, L2221). A location repeated in the chain is listed once, at its first position.
    /// </summary>
    public IReadOnlyList<(string Location, MediaLocationRole Role)> MediaLocationChain()
    {
        var chain = new List<(string, MediaLocationRole)> { (EffectiveTranscodingLocation, MediaLocationRole.TranscodingLocation) };
        if (PrimaryOverflowLocation is { } primary && chain.TrueForAll(c => c.Item1 != primary))
            chain.Add((primary, MediaLocationRole.PrimaryOverflowLocation));
        if (SecondaryOverflowLocation is { } secondary && chain.TrueForAll(c => c.Item1 != secondary))
            chain.Add((secondary, MediaLocationRole.SecondaryOverflowLocation));
        return chain;
    }

    /// <summary>Checks the location on its own; references to other locations are checked by <see cref="PlatformConfiguration"/>.</summary>
    public ValidationReport Validate()
    {
        var entity = FieldLimits.Entity("system_location", Name);
        var issues = new List<ConfigurationIssue>();
        if (string.IsNullOrWhiteSpace(Name))
            issues.Add(new(IssueSeverity.Error, "system_location", "name", "L3353", "A system location needs a name."));
        issues.AddRange(new[]
        {
            FieldLimits.TooLong(entity, "name", Name, FieldLimits.Name, "L9511"),
            FieldLimits.TooLong(entity, "description", Description, FieldLimits.Description, "L9513"),
        }.OfType<ConfigurationIssue>());
        if (Mtu is < 576 or > 9000)
            issues.Add(new(IssueSeverity.Error, entity, "mtu", "L3367", $"MTU {Mtu} is outside 576–9000 bytes."));
        foreach (var (field, dscp) in new[] { ("dscp_value_for_media", MediaDscp), ("dscp_value_for_signaling", SignalingDscp) })
            if (dscp is < 0 or > 63)
                issues.Add(new(IssueSeverity.Error, entity, field, "L3368", $"DSCP {dscp} is outside 0–63."));
        return new ValidationReport(issues);
    }
}

/// <summary>Why a location is a candidate for a call's media.</summary>
public enum MediaLocationRole
{
    TranscodingLocation,
    PrimaryOverflowLocation,
    SecondaryOverflowLocation,
    /// <summary>A location from a policy-supplied list, which replaces the configured chain (R26, L2219).</summary>
    PolicyLocation,
}

/// <summary>A per-location override of a global on/off setting (break-in resistance, L3377–3378).</summary>
public enum GlobalSettingOverride
{
    UseGlobalSetting,
    No,
    Yes,
}
