using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ConferenceCluster.Conferencing.Cluster;

/// <summary>
/// Brings back the conferences whose grain was on a silo that went: a conference grain acts on node failures itself,
/// except on the failure of its own silo, and nothing else would call it until someone hangs up. When a silo starts
/// leaving or is declared dead, one surviving silo (the ordinally first active one, so the work is done once) wakes
/// every running conference (<see cref="RunningConferences"/>); Orleans activates each on a live silo, where it restores
/// its persisted state, drops the failed node, re-wires its backplanes and tells the dropped participants (R37
/// re-election, DESIGN.md section 5).
/// </summary>
/// <remarks>
/// Waking a conference whose grain is alive is a cheap no-op status call, so no need to know which ones lived where.
/// A silo that leaves gracefully is seen twice: ShuttingDown (its grains may still be there, so a wake can meet the old
/// activation) and Dead (they are gone): the second wake is the one that restores its conferences on a survivor, so
/// calls whose media was on it are moved without waiting for someone to call the conference.
/// </remarks>
public sealed class ConferenceRecovery(
    MembershipChanges membership, RunningConferences running, IGrainFactory grains, ILocalSiloDetails local, ILogger<ConferenceRecovery> logger)
{
    private readonly HashSet<(SiloAddress Silo, SiloStatus Status)> _seenGone = [];
    private readonly Lock _gate = new();
    private int _started;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        lock (_gate)
            _seenGone.UnionWith(membership.Current.Members.Values.Where(m => m.Status.IsTerminating()).Select(m => (m.SiloAddress, m.Status)));
        membership.Changed += OnMembershipChanged;
    }

    private void OnMembershipChanged(ClusterMembershipSnapshot snapshot)
    {
        List<ClusterMember> gone;
        lock (_gate)
            gone = snapshot.Members.Values.Where(m => m.Status.IsTerminating() && _seenGone.Add((m.SiloAddress, m.Status))).ToList();
        if (gone.Count == 0) return;
        var first = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).Order(StringComparer.Ordinal).FirstOrDefault();
        if (first != local.Name) return;
        _ = Task.Run(() => WakeConferencesAsync(string.Join(", ", gone.Select(m => m.Name))));
    }

    private async Task WakeConferencesAsync(string goneSilos)
    {
        IReadOnlyList<string> names;
        try
        {
            names = await running.ListAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not list the running conferences after {Silos} left", goneSilos);
            return;
        }
        if (names.Count > 0)
            logger.LogInformation("{Silos} left: waking {Count} running conferences", goneSilos, names.Count);
        await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                await grains.GetGrain<IConferenceGrain>(name).GetStatus().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not wake conference {Conference} after {Silos} left", name, goneSilos);
            }
        })).ConfigureAwait(false);
    }
}
