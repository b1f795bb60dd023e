namespace ConferenceCluster.Runtime.Membership;

/// <summary>
/// Timings of the membership protocol. Defaults follow Orleans 10 (ClusterMembershipOptions) except where a
/// conferencing cluster needs faster failure detection; each difference says why. Tests use far shorter ones.
/// </summary>
public sealed class ClusterMembershipOptions
{
    /// <summary>How often a silo probes each silo it monitors (Orleans: 5 s via ProbeTimeout).</summary>
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a probe may take before it counts as missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Missed probes in a row before the prober votes the silo suspect (Orleans: 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 3;
    /// <summary>How many other silos each silo probes (Orleans 10: 10).</summary>
    public int NumProbedSilos { get; set; } = 10;
    /// <summary>Votes (from distinct silos, within <see cref="DeathVoteExpirationTimeout"/>) that declare a silo Dead (Orleans: 2).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;
    /// <summary>A vote older than this no longer counts (Orleans: 2 min).</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How often a silo re-reads the whole table even when nothing told it to (Orleans: 60 s).</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often a silo writes its IAmAlive time (Orleans 10: 30 s).</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>A row whose IAmAlive is older than this many publish periods is stale: it does not block a join and may be voted dead without probing (Orleans: 3).</summary>
    public int NumMissedTableIAmAliveLimit { get; set; } = 3;
    /// <summary>How long a silo keeps retrying its join before it gives up (Orleans: 5 min).</summary>
    public TimeSpan MaxJoinAttemptTime { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Dead rows older than this are deleted (Orleans: 7 days).</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often each silo deletes defunct rows (Orleans: 1 h).</summary>
    public TimeSpan DefunctSiloCleanupPeriod { get; set; } = TimeSpan.FromHours(1);
}
