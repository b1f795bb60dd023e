using System.Collections.Concurrent;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Hosting;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Membership;

/// <summary>How the membership agent reaches other silos: probes and "read the table now" gossip.</summary>
internal interface ISiloProber
{
    Task<bool> PingAsync(SiloAddress target, TimeSpan timeout);
    void GossipTableChanged(IEnumerable<SiloAddress> targets);
}

/// <summary>
/// This silo's side of Orleans' membership protocol: join (Joining → Active), IAmAlive writes, periodic table
/// reads, probes of a few successors on a hash ring, suspicion votes written into the suspect's row, death
/// declaration once enough fresh votes agree, and suicide when the table says this silo is Dead.
/// </summary>
internal sealed class MembershipAgent : IClusterMembershipView, ISiloLiveness, IAsyncDisposable
{
    private readonly IMembershipTable _table;
    private readonly ClusterMembershipOptions _options;
    private readonly ILocalSiloDetails _local;
    private readonly ISiloProber _prober;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SiloAddress, int> _missedProbes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly List<Task> _loops = [];
    private MembershipSnapshot _current = MembershipSnapshot.Empty;
    private bool _leaving;

    public MembershipAgent(IMembershipTable table, ClusterMembershipOptions options, ILocalSiloDetails local, ISiloProber prober, TimeProvider time, ILogger logger)
    {
        _table = table;
        _options = options;
        _local = local;
        _prober = prober;
        _time = time;
        _logger = logger;
    }

    public MembershipSnapshot Current => Volatile.Read(ref _current);
    public event Action<MembershipSnapshot>? Changed;
    /// <summary>Raised once when the table says this silo is Dead while it still runs (Orleans: "I have been told I am dead").</summary>
    public event Action? ToldDead;
    public SiloStatus LocalStatus { get; private set; } = SiloStatus.Created;

    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var entry = new MembershipEntry
        {
            SiloAddress = _local.SiloAddress,
            SiloName = _local.Name,
            Status = SiloStatus.Joining,
            GatewayPort = _local.GatewayPort,
            StartTime = now,
            IAmAliveTime = now,
            Metadata = new Dictionary<string, string>(_local.Metadata),
        };
        var deadline = _time.GetUtcNow() + _options.MaxJoinAttemptTime;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var data = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            if (await _table.InsertRowAsync(entry, data.Version.Next(), cancellationToken).ConfigureAwait(false))
                break;
            if (_time.GetUtcNow() > deadline)
                throw new InvalidOperationException($"silo {_local.SiloAddress} could not join the membership table within {_options.MaxJoinAttemptTime}");
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 100)), _time, cancellationToken).ConfigureAwait(false);
        }
        LocalStatus = SiloStatus.Joining;
        await UpdateLocalStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false);

        _loops.Add(Task.Run(() => LoopAsync(_options.IAmAliveTablePublishTimeout, PublishIAmAliveAsync)));
        _loops.Add(Task.Run(() => LoopAsync(_options.TableRefreshTimeout, () => RefreshAsync())));
        _loops.Add(Task.Run(() => LoopAsync(_options.ProbePeriod, ProbeSuccessorsAsync)));
        _loops.Add(Task.Run(() => LoopAsync(_options.DefunctSiloCleanupPeriod, CleanupDefunctSilosAsync)));
    }

    private Task CleanupDefunctSilosAsync() =>
        _table.CleanupDefunctSiloEntriesAsync(_time.GetUtcNow() - _options.DefunctSiloExpiration);

    /// <summary>Writes this silo's status (ShuttingDown, Dead ...) with the optimistic protocol, retrying on conflicts.</summary>
    public async Task UpdateLocalStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        if (status.IsTerminating()) _leaving = true;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var data = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var row = data.Find(_local.SiloAddress) ?? throw new InvalidOperationException($"silo {_local.SiloAddress} has no membership row");
            if (row.Entry.Status == SiloStatus.Dead && status != SiloStatus.Dead)
                throw new InvalidOperationException($"silo {_local.SiloAddress} was declared dead");
            // A silo writing its own Dead leaves gracefully: no votes on its row tells the others so.
            var updated = row.Entry with
            {
                Status = status,
                IAmAliveTime = _time.GetUtcNow(),
                SuspectTimes = status == SiloStatus.Dead ? [] : row.Entry.SuspectTimes,
            };
            if (await _table.UpdateRowAsync(updated, row.ETag, data.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                LocalStatus = status;
                await RefreshAsync(gossip: true).ConfigureAwait(false);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50)), _time, cancellationToken).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"could not write status {status} for {_local.SiloAddress}: too many concurrent table updates");
    }

    /// <summary>Reads the table; publishes a new snapshot when its version moved. Safe to call from anywhere.</summary>
    public async Task RefreshAsync(bool gossip = false)
    {
        MembershipTableData data;
        await _refreshGate.WaitAsync().ConfigureAwait(false);
        try
        {
            data = await _table.ReadAllAsync().ConfigureAwait(false);
            if (data.Version.Version == Current.Version)
                return;
            var snapshot = new MembershipSnapshot(data.Version.Version, data.Rows.Select(r => r.Entry).ToList());
            Volatile.Write(ref _current, snapshot);
            Changed?.Invoke(snapshot);
        }
        finally
        {
            _refreshGate.Release();
        }

        if (gossip)
            _prober.GossipTableChanged(Current.ActiveSilos.Select(e => e.SiloAddress).Where(a => a != _local.SiloAddress));

        var mine = Current.Entries.FirstOrDefault(e => e.SiloAddress == _local.SiloAddress);
        if (mine?.Status == SiloStatus.Dead && LocalStatus != SiloStatus.Dead && !_leaving)
        {
            _logger.LogCritical("Silo {Silo} has been told it is dead by the membership table; stopping", _local.SiloAddress);
            LocalStatus = SiloStatus.Dead;
            ToldDead?.Invoke();
        }
    }

    private async Task PublishIAmAliveAsync()
    {
        var mine = Current.Entries.FirstOrDefault(e => e.SiloAddress == _local.SiloAddress);
        if (mine is null || _leaving) return;
        await _table.UpdateIAmAliveAsync(mine with { IAmAliveTime = _time.GetUtcNow() }).ConfigureAwait(false);
    }

    /// <summary>The silos this one monitors: its next <see cref="ClusterMembershipOptions.NumProbedSilos"/> successors on a hash ring of active silos.</summary>
    internal IReadOnlyList<SiloAddress> ProbeTargets()
    {
        var ring = Current.ActiveSilos.Select(e => e.SiloAddress).Append(_local.SiloAddress).Distinct()
            .OrderBy(a => a.StableHash()).ThenBy(a => a).ToList();
        var self = ring.IndexOf(_local.SiloAddress);
        return Enumerable.Range(1, Math.Min(_options.NumProbedSilos, ring.Count - 1))
            .Select(i => ring[(self + i) % ring.Count]).ToList();
    }

    private async Task ProbeSuccessorsAsync()
    {
        if (LocalStatus != SiloStatus.Active) return;
        var targets = ProbeTargets();
        foreach (var stale in _missedProbes.Keys.Except(targets))
            _missedProbes.TryRemove(stale, out _);
        await Task.WhenAll(targets.Select(ProbeAsync)).ConfigureAwait(false);
    }

    private async Task ProbeAsync(SiloAddress target)
    {
        if (await _prober.PingAsync(target, _options.ProbeTimeout).ConfigureAwait(false))
        {
            _missedProbes[target] = 0;
            return;
        }
        var missed = _missedProbes.AddOrUpdate(target, 1, (_, n) => n + 1);
        _logger.LogDebug("Probe {Missed} of {Target} missed", missed, target);
        if (missed >= _options.NumMissedProbesLimit)
            await VoteSuspectAsync(target).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds this silo's vote against <paramref name="suspect"/>; if the fresh votes reach the required count the
    /// same write declares it Dead. Required = min(NumVotesForDeathDeclaration, live active silos other than the suspect),
    /// so a two-silo cluster can still declare its dead half.
    /// </summary>
    internal async Task VoteSuspectAsync(SiloAddress suspect)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var data = await _table.ReadAllAsync().ConfigureAwait(false);
            var row = data.Find(suspect);
            if (row is null || row.Entry.Status == SiloStatus.Dead)
                return;
            var now = _time.GetUtcNow();
            var votes = row.Entry.SuspectTimes
                .Where(v => v.Voter != _local.SiloAddress && now - v.Time < _options.DeathVoteExpirationTimeout)
                .Append(new SuspectVote(_local.SiloAddress, now))
                .ToList();
            // Rows whose IAmAlive went stale (a whole cluster restarted) cannot vote, so they do not count as voters.
            var staleBefore = now - _options.IAmAliveTablePublishTimeout * _options.NumMissedTableIAmAliveLimit;
            var voters = data.Rows.Count(r => r.Entry.Status == SiloStatus.Active && r.Entry.SiloAddress != suspect
                && (r.Entry.SiloAddress == _local.SiloAddress || r.Entry.IAmAliveTime >= staleBefore));
            var required = Math.Max(1, Math.Min(_options.NumVotesForDeathDeclaration, voters));
            var declareDead = votes.Select(v => v.Voter).Distinct().Count() >= required;
            var updated = row.Entry with { SuspectTimes = votes, Status = declareDead ? SiloStatus.Dead : row.Entry.Status };
            if (await _table.UpdateRowAsync(updated, row.ETag, data.Version.Next()).ConfigureAwait(false))
            {
                if (declareDead)
                    _logger.LogWarning("Declared silo {Suspect} dead ({Votes} votes)", suspect, votes.Count);
                else
                    _logger.LogInformation("Voted silo {Suspect} suspect ({Votes}/{Required})", suspect, votes.Count, required);
                _missedProbes[suspect] = 0;
                await RefreshAsync(gossip: true).ConfigureAwait(false);
                return;
            }
        }
    }

    public bool IsKnownDead(SiloAddress silo)
    {
        var entries = Current.Entries;
        foreach (var entry in entries)
        {
            if (entry.SiloAddress == silo) return entry.Status == SiloStatus.Dead;
        }
        // A newer incarnation on the same endpoint means this one is gone.
        return entries.Any(e => e.SiloAddress.Host == silo.Host && e.SiloAddress.Port == silo.Port && e.SiloAddress.Generation > silo.Generation);
    }

    public async Task<bool> IsDeadAsync(SiloAddress silo)
    {
        if (IsKnownDead(silo)) return true;
        if (Current.Entries.Any(e => e.SiloAddress == silo)) return false;
        await RefreshAsync().ConfigureAwait(false);
        // Still unknown after a fresh read: its row was cleaned up long ago.
        return IsKnownDead(silo) || Current.Entries.All(e => e.SiloAddress != silo);
    }

    private async Task LoopAsync(TimeSpan period, Func<Task> body)
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, _stopping.Token).ConfigureAwait(false);
                await body().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The table being unreachable must not kill the silo: completeness suffers, accuracy does not.
                _logger.LogWarning(ex, "Membership loop failed; retrying next period");
            }
        }
    }

    /// <summary>Stops the loops without writing anything (graceful leave writes its status first).</summary>
    public async ValueTask DisposeAsync()
    {
        _leaving = true;
        _stopping.Cancel();
        try { await Task.WhenAll(_loops).ConfigureAwait(false); } catch (Exception) { /* loops end on cancellation */ }
        _stopping.Dispose();
    }
}
