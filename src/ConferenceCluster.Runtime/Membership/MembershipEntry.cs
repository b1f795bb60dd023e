namespace ConferenceCluster.Runtime.Membership;

/// <summary>Orleans' silo statuses, with the same numeric values as its ADO.NET tables.</summary>
public enum SiloStatus
{
    None = 0,
    Created = 1,
    Joining = 2,
    Active = 3,
    ShuttingDown = 4,
    Stopping = 5,
    Dead = 6,
}

public static class SiloStatusExtensions
{
    public static bool IsTerminating(this SiloStatus status) => status is SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead;
}

/// <summary>A suspicion vote: <see cref="Voter"/> missed its probes of the row's silo at <see cref="Time"/>.</summary>
public sealed record SuspectVote(SiloAddress Voter, DateTimeOffset Time);

/// <summary>One row of the membership table.</summary>
public sealed record MembershipEntry
{
    public required SiloAddress SiloAddress { get; init; }
    public required string SiloName { get; init; }
    public string HostName { get; init; } = Environment.MachineName;
    public required SiloStatus Status { get; init; }
    /// <summary>The client gateway port (Orleans' ProxyPort); 0 when the silo has no gateway.</summary>
    public int GatewayPort { get; init; }
    public IReadOnlyList<SuspectVote> SuspectTimes { get; init; } = [];
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset IAmAliveTime { get; init; }
    /// <summary>Free-form silo metadata (system location, role, HTTP port, SIP port ...), stored as JSON.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public string? GetMetadata(string key) => Metadata.TryGetValue(key, out var value) ? value : null;
}

/// <summary>The table's version row: every membership write bumps it, so all changes are totally ordered.</summary>
public sealed record TableVersion(int Version, string ETag)
{
    public TableVersion Next() => new(Version + 1, ETag);
}

public sealed record MembershipRow(MembershipEntry Entry, string ETag);

public sealed record MembershipTableData(IReadOnlyList<MembershipRow> Rows, TableVersion Version)
{
    public MembershipRow? Find(SiloAddress address) => Rows.FirstOrDefault(r => r.Entry.SiloAddress == address);
}
