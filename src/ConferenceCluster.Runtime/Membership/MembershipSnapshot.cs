namespace ConferenceCluster.Runtime.Membership;

/// <summary>One version of the membership table as a silo or client last read it.</summary>
public sealed record MembershipSnapshot(int Version, IReadOnlyList<MembershipEntry> Entries)
{
    public static MembershipSnapshot Empty { get; } = new(-1, []);

    public IEnumerable<MembershipEntry> ActiveSilos => Entries.Where(e => e.Status == SiloStatus.Active);

    public SiloStatus GetStatus(SiloAddress silo) =>
        Entries.FirstOrDefault(e => e.SiloAddress == silo)?.Status ?? SiloStatus.None;

    public MembershipEntry? FindByName(string siloName) =>
        Entries.Where(e => e.SiloName == siloName && e.Status == SiloStatus.Active).MaxBy(e => e.SiloAddress.Generation);
}

/// <summary>The membership as this process sees it, updated whenever it reads a newer table version.</summary>
public interface IClusterMembershipView
{
    MembershipSnapshot Current { get; }
    event Action<MembershipSnapshot>? Changed;
}
