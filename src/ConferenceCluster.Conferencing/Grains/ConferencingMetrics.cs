using System.Diagnostics.Metrics;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>The conferencing grains' meters (System.Diagnostics.Metrics; exported by the host's OpenTelemetry setup).</summary>
public static class ConferencingMetrics
{
    public const string MeterName = "ConferenceCluster.Conferencing";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Joins answered, tagged <c>outcome</c> = accepted or the rejection reason.</summary>
    public static readonly Counter<long> Joins = Meter.CreateCounter<long>("conferencing.joins", description: "Joins answered, by outcome");

    /// <summary>Reservations a NodeGrain refused because its load moved on since the conference's snapshot (each costs one re-allocation).</summary>
    public static readonly Counter<long> ReservationRefusals = Meter.CreateCounter<long>("conferencing.reservation_refusals",
        description: "Node reservations refused after allocation; the join allocates again with fresh loads");

    /// <summary>Joins rejected because every allocation attempt lost its reservation race (not a real capacity shortage).</summary>
    public static readonly Counter<long> AllocationGaveUp = Meter.CreateCounter<long>("conferencing.allocation_gave_up",
        description: "Joins rejected after MaxAllocationAttempts refused reservations");

    public static JoinResult Count(JoinResult result)
    {
        Joins.Add(1, new KeyValuePair<string, object?>("outcome", result.Accepted ? "accepted" : result.Rejection?.ToString()));
        return result;
    }
}
