namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>
/// The platform-wide settings (Platform &gt; Global Settings, L3152–3238) that the conferencing domain reads.
/// Protocol switches, port ranges, codecs and integrations are host concerns and are not modelled here.
/// </summary>
public sealed record GlobalSettings
{
    public static readonly GlobalSettings Default = new();

    /// <summary>Default HD (L3171); overridable per service.</summary>
    public MaximumCallQuality MaximumCallQuality { get; init; } = MaximumCallQuality.Hd;

    /// <summary>Default Best effort (L3197); overridable per service.</summary>
    public MediaEncryption MediaEncryption { get; init; } = MediaEncryption.BestEffort;

    /// <summary>Seconds a conference continues with only Guests after the last Host leaves; default 60 (L3162).</summary>
    public int GuestsOnlyTimeoutSeconds { get; init; } = 60;

    /// <summary>0 = never eject, else 60–86400 seconds; default 0 (L3163).</summary>
    public int LastParticipantBackstopTimeoutSeconds { get; init; }

    /// <summary>Default 120 seconds (L3164).</summary>
    public int PinEntryTimeoutSeconds { get; init; } = 120;

    /// <summary>Default 900 seconds (L3165).</summary>
    public int WaitingForHostTimeoutSeconds { get; init; } = 900;

    /// <summary>25–75%, default 75% (L3172).</summary>
    public int MaximumPresentationBandwidthRatioPercent { get; init; } = 75;

    /// <summary>Default on (L3196): a PEN-only location needs links only to its own media locations (R51).</summary>
    public bool EnableRestrictedRoutingForProxyingEdgeNodes { get; init; } = true;

    /// <summary>Off unless configured (L3228).</summary>
    public bool EnableBurstingToTheCloud { get; init; }

    /// <summary>
    /// Free HD connections in a location at or below which an overflow node starts (R73, L2050, L3229). The seed
    /// states no default; we use 5, the value of its worked example (L2081).
    /// </summary>
    public int BurstingThresholdHdCalls { get; init; } = 5;

    /// <summary>A bursting node is never stopped before running this long; default 50 minutes (L2069, L3231).</summary>
    public TimeSpan BurstingMinimumLifetime { get; init; } = TimeSpan.FromMinutes(50);

    public ValidationReport Validate()
    {
        const string entity = "global";
        var issues = new List<ConfigurationIssue>();
        void Error(string field, string rule, string message) => issues.Add(new(IssueSeverity.Error, entity, field, rule, message));

        if (GuestsOnlyTimeoutSeconds is < 0 or > 86400)
            Error("guests_only_timeout", "L7401", $"{GuestsOnlyTimeoutSeconds} s is outside 0–86400 s.");
        if (LastParticipantBackstopTimeoutSeconds != 0 && LastParticipantBackstopTimeoutSeconds is < 60 or > 86400)
            Error("last_participant_backstop_timeout", "L3163", $"{LastParticipantBackstopTimeoutSeconds} s must be 0 (never) or 60–86400 s.");
        if (PinEntryTimeoutSeconds < 1)
            Error("pin_entry_timeout", "L3164", "The PIN entry timeout must be positive.");
        if (WaitingForHostTimeoutSeconds < 1)
            Error("waiting_for_host_timeout", "L3165", "The waiting-for-Host timeout must be positive.");
        if (MaximumPresentationBandwidthRatioPercent is < 25 or > 75)
            Error("max_presentation_bandwidth_ratio", "L3172", $"{MaximumPresentationBandwidthRatioPercent}% is outside 25–75%.");
        if (BurstingThresholdHdCalls < 0)
            Error("bursting_threshold", "L3229", "The bursting threshold cannot be negative.");
        if (BurstingMinimumLifetime < TimeSpan.Zero)
            Error("cloud_shutdown_minimum_lifetime", "L3231", "The minimum lifetime cannot be negative.");
        return new ValidationReport(issues);
    }
}
