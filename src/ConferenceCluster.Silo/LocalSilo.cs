using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Silo;

/// <summary>
/// The silo this process hosts, for the HTTP endpoints. HTTP starts before the silo joins (so health can say
/// "not yet" and the membership row can carry the real HTTP port), hence the silo may not be there yet.
/// </summary>
public sealed class LocalSilo
{
    private Runtime.Hosting.Silo? _silo;

    public Runtime.Hosting.Silo? Current
    {
        get => Volatile.Read(ref _silo);
        internal set => Volatile.Write(ref _silo, value);
    }

    public SiloStatus Status => Current?.Status ?? SiloStatus.None;

    private volatile bool _draining;

    /// <summary>True once the host drains before stopping (SIGTERM): no new calls.</summary>
    public bool Draining
    {
        get => _draining;
        internal set => _draining = value;
    }

    /// <summary>The silo when it has started joining (its membership view exists), else null.</summary>
    public Runtime.Hosting.Silo? Joined => Current is { Status: not (SiloStatus.None or SiloStatus.Created) } silo ? silo : null;
}
