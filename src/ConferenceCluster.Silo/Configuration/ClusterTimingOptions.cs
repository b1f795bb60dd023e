namespace ConferenceCluster.Silo.Configuration;

/// <summary>
/// <c>Cluster:Membership:*</c>: the failure-detection timings, under Orleans' own names (Orleans' <c>ClusterMembershipOptions</c>;
/// docs/operations.md "Silo failure"). Unset keys take our defaults, which are faster than Orleans' so that a dead media
/// node's calls are moved within about five seconds and a hung silo is declared dead within about ten
/// (Orleans' defaults, measured here: 11–15 s and 60 s; shared/spec/orleans.md §2; ours: docs/benchmarks.md, "Silo failure").
/// </summary>
public sealed class MembershipTimingOptions
{
    /// <summary>The first probe timeout and the probing period; Orleans adapts the timeout between Min and Max per silo (Orleans: 5 s).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Lower bound of the adaptive probe timeout (Orleans: ProbeTimeout / 2).</summary>
    public TimeSpan? MinProbeTimeout { get; set; }

    /// <summary>
    /// Upper bound of the adaptive probe timeout (Orleans: 4 × ProbeTimeout). With <see cref="NumMissedProbesLimit"/> it
    /// bounds how long a hung silo whose socket stays open can go unsuspected (Orleans' connection liveness check holds
    /// votes back while the connection answered within this window): 3 s × 3 = 9 s, so that the votes and the table
    /// write still land within 15 s on a loaded machine (4 s gave 11.7–13.7 s there).
    /// </summary>
    public TimeSpan? MaxProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Missed probes in a row before the prober votes the silo suspect (Orleans: 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>How many other silos each silo probes (Orleans: 10).</summary>
    public int NumProbedSilos { get; set; } = 10;

    /// <summary>Votes that declare a silo dead; with two silos one suffices (Orleans: 2).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>A vote older than this no longer counts (Orleans: 2 min).</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a silo re-reads the whole table besides the gossip (Orleans: 60 s).</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a silo writes its IAmAlive time (Orleans: 30 s).</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Missed IAmAlive writes after which a row counts as stale (Orleans: 3).</summary>
    public int NumMissedTableIAmAliveLimit { get; set; } = 3;

    /// <summary>How long a silo keeps trying to join (Orleans: 5 min).</summary>
    public TimeSpan MaxJoinAttemptTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Dead rows older than this are deleted (Orleans: 7 days).</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often dead rows are cleaned up (Orleans: 1 h).</summary>
    public TimeSpan DefunctSiloCleanupPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The old runtime's probe period, kept so existing configurations start: Orleans probes every ProbeTimeout, so when
    /// <see cref="ProbeTimeout"/> is not set this value becomes it.
    /// </summary>
    public TimeSpan? ProbePeriod { get; set; }

    /// <summary>Maps onto Orleans' options; <paramref name="probeTimeoutSet"/> says whether ProbeTimeout was configured.</summary>
    public void ApplyTo(Orleans.Configuration.ClusterMembershipOptions orleans, bool probeTimeoutSet)
    {
        orleans.ProbeTimeout = !probeTimeoutSet && ProbePeriod is { } period ? period : ProbeTimeout;
        orleans.MinProbeTimeout = MinProbeTimeout ?? orleans.ProbeTimeout / 2;
        orleans.MaxProbeTimeout = MaxProbeTimeout is { } max && max >= orleans.ProbeTimeout ? max : orleans.ProbeTimeout * 4;
        orleans.NumMissedProbesLimit = NumMissedProbesLimit;
        orleans.NumProbedSilos = NumProbedSilos;
        orleans.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        orleans.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
        orleans.TableRefreshTimeout = TableRefreshTimeout;
        orleans.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        orleans.NumMissedTableIAmAliveLimit = NumMissedTableIAmAliveLimit;
        orleans.MaxJoinAttemptTime = MaxJoinAttemptTime;
        orleans.DefunctSiloExpiration = DefunctSiloExpiration;
        orleans.DefunctSiloCleanupPeriod = DefunctSiloCleanupPeriod;
    }
}

/// <summary><c>Cluster:Messaging:*</c>: silo-to-silo and client messaging, mapped onto Orleans' messaging options.</summary>
public sealed class MessagingTimingOptions
{
    /// <summary>How long a grain call waits for its response (Orleans' ResponseTimeout: 30 s).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest message body accepted (Orleans' MaxMessageBodySize: 100 MB); bigger ones close the connection.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long to wait for a connection to another silo (Orleans' OpenConnectionTimeout: 5 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a message may be forwarded between silos (Orleans' MaxForwardCount: 2).</summary>
    public int MaxForwardCount { get; set; } = 2;

    /// <summary>Accepted for old configurations; Orleans flushes and closes connections itself when a silo leaves.</summary>
    public TimeSpan? ShutdownLinger { get; set; }
}
