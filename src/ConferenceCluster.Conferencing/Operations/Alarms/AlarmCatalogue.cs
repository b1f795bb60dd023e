namespace ConferenceCluster.Conferencing.Operations.Alarms;

/// <summary>Alarm levels, most severe first (L15388–15393).</summary>
public enum AlarmLevel
{
    Critical,
    Error,
    Warning,
}

/// <summary>One kind of alarm: Pexip's numeric id, the key its logs use (<c>Alarm="capacity_exhausted"</c>), the UI name and level.</summary>
public sealed record AlarmKind(int Id, string Key, string Name, AlarmLevel Level);

/// <summary>
/// The alarms this platform raises, with the seed's ids, keys, names and levels (L15386–15462). Alarms about things we
/// do not have (licences, TLS certificates, NTP, Exchange, LDAP, One-Touch Join, CPU instruction sets, hypervisor
/// pauses) are not listed: nothing here could raise or lower them (docs/decisions.md, "Operations").
/// </summary>
public static class AlarmCatalogue
{
    /// <summary>A call was refused because every node able to take its media is full (L15414).</summary>
    public static readonly AlarmKind CapacityExhausted = new(1, "capacity_exhausted", "Call capacity limit reached", AlarmLevel.Warning);

    /// <summary>Communication to a node was lost (L15424).</summary>
    public static readonly AlarmKind ConnectivityLost = new(19, "connectivity_lost", "Connectivity lost between nodes", AlarmLevel.Warning);

    public static readonly AlarmKind BurstingError = new(12, "bursting_error", "Cloud bursting process encountered an unexpected error", AlarmLevel.Error);

    public static readonly AlarmKind BurstingMissingNode = new(13, "bursting_missing_pexip_node",
        "Cloud-bursting node found, but no corresponding Conferencing Node has been configured", AlarmLevel.Warning);

    public static readonly AlarmKind BurstingNoLocationOverflow = new(14, "bursting_no_location_overflow",
        "A location contains cloud bursting nodes, but no other locations are using it for overflow", AlarmLevel.Warning);

    public static readonly AlarmKind BurstingUnauthorizedInstance = new(15, "bursting_unauthorized_instance_failure", "Not authorized to perform this operation", AlarmLevel.Error);

    public static readonly AlarmKind BurstingUnauthorizedRegion = new(16, "bursting_unauthorized_region_failure", "Not authorized to perform this operation", AlarmLevel.Error);

    public static readonly AlarmKind BurstingAuthenticationFailure = new(17, "bursting_authentication_failure",
        "Authentication failure while trying to communicate with the cloud provider", AlarmLevel.Error);

    /// <summary>An event sink's retry wait passed 30 minutes; its publisher stopped (L3072, L15404).</summary>
    public static readonly AlarmKind EventSinkMaximumBackoff = new(36, "eventsink_maximum_backoff", "Eventsink Reached Maximum Backoff", AlarmLevel.Critical);

    /// <summary>
    /// Ours, not the seed's (which never says what happens to events while a sink backs off): a sink's bounded queue
    /// is full, so new events for it are refused rather than silently dropped. Id above Pexip's range.
    /// </summary>
    public static readonly AlarmKind EventSinkQueueFull = new(1001, "eventsink_queue_full", "Eventsink queue full: events are being refused", AlarmLevel.Critical);

    public static IReadOnlyList<AlarmKind> All { get; } =
    [
        CapacityExhausted, ConnectivityLost, BurstingError, BurstingMissingNode, BurstingNoLocationOverflow,
        BurstingUnauthorizedInstance, BurstingUnauthorizedRegion, BurstingAuthenticationFailure,
        EventSinkMaximumBackoff, EventSinkQueueFull,
    ];
}
