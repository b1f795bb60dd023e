namespace ConferenceCluster.Conferencing.Operations.Alarms;

/// <summary>Collections of the alarm registry in the cluster database.</summary>
public static class AlarmCollections
{
    /// <summary>Active alarms, one document per alarm instance (id = <see cref="ActiveAlarm.DocumentId"/>).</summary>
    public const string Active = "alarm";
    /// <summary>Lowered alarms, keyed by their numeric id.</summary>
    public const string History = "history_alarm";
    /// <summary>One document holding the next numeric alarm id, so ids are unique across silos.</summary>
    public const string Sequence = "alarm_sequence";
}

/// <summary>
/// A raised alarm. Several instances of one kind can be up at once, e.g. one per node (L15390): an alarm is
/// identified by its kind, its node and its <paramref name="Instance"/> (what it is about: a sink, a location, a peer).
/// </summary>
public sealed record ActiveAlarm(
    long Id,
    string Key,
    string Name,
    AlarmLevel Level,
    string Node,
    string Instance,
    string Details,
    DateTimeOffset TimeRaised)
{
    public string DocumentId => DocumentIdOf(Key, Node, Instance);

    public static string DocumentIdOf(string key, string node, string instance) => $"{key}|{node}|{instance}";
}

/// <summary>An alarm that was raised and later lowered: the seed's alarm history keeps level, time raised and time lowered (L15391).</summary>
public sealed record AlarmHistoryRecord(ActiveAlarm Alarm, DateTimeOffset TimeLowered);
