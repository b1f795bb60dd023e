namespace ConferenceCluster.Conferencing.Backplanes;

/// <summary>
/// What one conference grain last asked the media nodes to carry, and the step from there to its current topology.
/// The grain calls <see cref="FollowAsync"/> after every change of its placement (join, leave, node failure); a restored
/// activation starts from <see cref="Restored"/>, which re-applies the whole topology, because the media nodes may
/// or may not have heard of the last changes before the old activation was lost.
/// </summary>
public sealed class ConferenceBackplanes(IBackplaneWiring wiring)
{
    private BackplaneTopology _applied = BackplaneTopology.Empty;
    private bool _reapplyAll;

    /// <summary>The topology the previous activation had: backplanes of nodes dropped since are closed, the rest opened again.</summary>
    public void Restored(BackplaneTopology topology)
    {
        _applied = topology;
        _reapplyAll = true;
    }

    public async Task FollowAsync(string conference, BackplaneTopology current)
    {
        var changes = BackplaneChanges.Between(_applied, current);
        if (_reapplyAll)
            changes = changes with { ToCreate = current.Backplanes };
        _applied = current;
        _reapplyAll = false;
        if (changes.ToCreate.Count == 0 && changes.ToRemove.Count == 0) return;
        await wiring.ApplyAsync(conference, changes);
    }
}
