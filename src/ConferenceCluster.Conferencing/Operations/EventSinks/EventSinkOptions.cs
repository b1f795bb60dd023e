namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>Tunables of the event sink publishers (configuration section <c>Conferencing:EventSinks</c>).</summary>
public sealed class EventSinkOptions
{
    /// <summary>The first retry wait; each further failure doubles it (1, 2, 4, 8 … s, L3070).</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When the next wait would exceed this, the sink's publisher stops and raises "Eventsink Reached Maximum Backoff"
    /// (30 minutes, L3072). Pexip does not let it be configured; tests shorten it.
    /// </summary>
    public TimeSpan MaximumBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Events one sink's queue holds on this silo while it is slow or backing off. Past it new events for that sink
    /// are refused with the <c>eventsink_queue_full</c> alarm, never dropped silently. 100 000 events of about 1 KB is
    /// at most ~100 MB per sink: a 30-minute outage of a busy node.
    /// </summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>How long one POST may take before it counts as a failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a silo re-reads its event sinks from the cluster database.</summary>
    public TimeSpan ConfigurationRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
