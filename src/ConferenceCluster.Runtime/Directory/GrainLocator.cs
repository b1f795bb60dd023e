using System.Collections.Concurrent;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Directory;

/// <summary>
/// Finds and claims grain activations: a per-silo cache in front of the cluster's directory store. The store
/// decides who wins a claim; the cache only saves a round trip and is dropped for silos that die.
/// </summary>
internal sealed class GrainLocator
{
    private readonly IGrainDirectoryStore _store;
    private readonly ISiloLiveness _liveness;
    private readonly SiloAddress _localSilo;
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _cache = new();

    public GrainLocator(IGrainDirectoryStore store, ISiloLiveness liveness, SiloAddress localSilo)
    {
        _store = store;
        _liveness = liveness;
        _localSilo = localSilo;
    }

    public bool TryGetCached(GrainId grainId, out GrainAddress address)
    {
        if (_cache.TryGetValue(grainId, out address!) && !_liveness.IsKnownDead(address.Silo))
            return true;
        return false;
    }

    public void Cache(GrainAddress address)
    {
        if (address.Silo != _localSilo)
            _cache[address.GrainId] = address;
    }

    public void Invalidate(GrainId grainId) => _cache.TryRemove(grainId, out _);

    /// <summary>Forgets every cached activation of a silo that left or died.</summary>
    public void InvalidateSilo(SiloAddress silo)
    {
        foreach (var (grainId, address) in _cache)
        {
            if (address.Silo == silo)
                _cache.TryRemove(new KeyValuePair<GrainId, GrainAddress>(grainId, address));
        }
    }

    /// <summary>The registered activation of a grain on a live silo, or null when it has none anywhere.</summary>
    public async Task<GrainAddress?> LookupAsync(GrainId grainId)
    {
        var address = await _store.LookupAsync(grainId).ConfigureAwait(false);
        if (address is null || await _liveness.IsDeadAsync(address.Silo).ConfigureAwait(false))
            return null;
        Cache(address);
        return address;
    }

    /// <summary>
    /// Claims the grain for a new local activation. Returns <paramref name="mine"/> if this silo won, or the
    /// live activation that holds the grain. A registration left by a dead silo, or a stale one of this silo's
    /// own (an activation that is no longer in its catalog), is taken over with a conditional write.
    /// </summary>
    public async Task<GrainAddress> RegisterAsync(GrainAddress mine)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await _store.LookupAsync(mine.GrainId).ConfigureAwait(false);
            GrainAddress? previous = null;
            if (existing is not null)
            {
                if (existing.Silo != _localSilo && !await _liveness.IsDeadAsync(existing.Silo).ConfigureAwait(false))
                    return existing;
                previous = existing;
            }

            var winner = await _store.RegisterAsync(mine, previous).ConfigureAwait(false);
            if (winner == mine)
                return mine;
            if (winner.Silo != _localSilo && !await _liveness.IsDeadAsync(winner.Silo).ConfigureAwait(false))
                return winner;
            if (attempt >= 5)
                throw new SiloUnavailableException($"could not claim {mine.GrainId}: its registration keeps changing");
        }
    }

    public Task UnregisterAsync(GrainAddress address) => _store.UnregisterAsync(address);

    public Task UnregisterSiloAsync(SiloAddress silo) => _store.UnregisterSiloAsync(silo);
}

/// <summary>What the locator needs from membership: is a silo dead (refreshing the table when unsure).</summary>
internal interface ISiloLiveness
{
    /// <summary>From the current snapshot only: the silo is Dead, or a newer generation replaced it.</summary>
    bool IsKnownDead(SiloAddress silo);

    /// <summary>Like <see cref="IsKnownDead"/>, but a silo the snapshot does not know yet is looked up in the table first.</summary>
    Task<bool> IsDeadAsync(SiloAddress silo);
}
