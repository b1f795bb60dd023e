namespace ConferenceCluster.Conferencing.Services;

/// <summary>The break-in resistance parameters. The seed says they are not configurable (L4365, L4389); tests may shorten them.</summary>
/// <param name="Threshold">More than this many failures in <paramref name="Window"/> trigger a block: 20.</param>
/// <param name="Window">The sliding window the failures are counted in: 10 minutes.</param>
/// <param name="BlockDuration">How long a block lasts: "up to 10 minutes" (L4365); we block for the full 10.</param>
public sealed record BreakInOptions(int Threshold, TimeSpan Window, TimeSpan BlockDuration)
{
    public static readonly BreakInOptions Default = new(20, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
}

/// <summary>The answer to "may this call attempt go on?".</summary>
/// <param name="RemainingBlock">How much longer the block lasts (the log's remaining_block_duration_seconds).</param>
/// <param name="LogMessage">The administrator-log line for a refused attempt (R-BRK-5, L4413–4431), else <c>null</c>.</param>
public sealed record BreakInDecision(bool Allowed, TimeSpan RemainingBlock, string? LogMessage)
{
    public static readonly BreakInDecision Allow = new(true, TimeSpan.Zero, null);
}

/// <summary>
/// Break-in resistance (R-BRK-1..5, L4353–4431): PIN brute-force resistance per service and VOIP scanner resistance
/// per source address. Each counts failures in a sliding window on <see cref="TimeProvider"/>; once a key has more
/// than <see cref="BreakInOptions.Threshold"/> failures inside <see cref="BreakInOptions.Window"/> it is blocked for
/// <see cref="BreakInOptions.BlockDuration"/>, and every new attempt against it is refused.
/// </summary>
/// <remarks>
/// A blocked service must look as if it did not exist (L4365): the SIP gateway answers 404, the client API its
/// unknown-conference error. A quarantined address is refused for every service. Calls already past the check
/// (in PIN entry or in the conference) are not touched: the seed blocks "new access attempts".
/// One instance per node is the simple deployment (each node that receives signalling judges for itself, which is
/// how the per-location override of R-BRK-3 is applied); see docs/decisions.md. Not thread-safe: callers serialise.
/// </remarks>
public sealed class BreakInResistance(BreakInOptions options, TimeProvider time)
{
    private readonly FailureWindow _pinFailuresByService = new(options, time);
    private readonly FailureWindow _aliasFailuresByAddress = new(options, time);

    public BreakInResistance(TimeProvider time) : this(BreakInOptions.Default, time) { }

    /// <summary>PIN brute-force resistance: may a new call reach this service (R-BRK-1)? Ask before PIN entry.</summary>
    public BreakInDecision CheckService(string service, string? participant = null, string? remoteAddress = null)
    {
        var remaining = _pinFailuresByService.RemainingBlock(service);
        return remaining <= TimeSpan.Zero
            ? BreakInDecision.Allow
            : new(false, remaining,
                $"Message=\"Break-in prevention policy blocking all attempts to join this service.\" Service=\"{service}\" " +
                $"Participant=\"{participant}\" Remote-address=\"{remoteAddress}\" Reason=\"Service appears to be under PIN break-in attack\" " +
                $"remaining_block_duration_seconds=\"{Seconds(remaining)}\"");
    }

    /// <summary>A wrong PIN against the service, from any client (R-BRK-1 applies to all, L7007). True when this failure starts a block.</summary>
    public bool RecordIncorrectPin(string service) => _pinFailuresByService.RecordFailure(service);

    /// <summary>VOIP scanner resistance: may this address make a call attempt at all (R-BRK-2)? Ask before alias lookup.</summary>
    public BreakInDecision CheckCaller(string remoteAddress, string? dialledAlias = null)
    {
        var remaining = _aliasFailuresByAddress.RemainingBlock(remoteAddress);
        return remaining <= TimeSpan.Zero
            ? BreakInDecision.Allow
            : new(false, remaining,
                $"Message=\"Break-in prevention policy rejecting call attempt from quarantined caller.\" Local-alias=\"{dialledAlias}\" " +
                $"Remote-address=\"{remoteAddress}\" Reason=\"Suspicious join attempt rejected\" remaining_block_duration_seconds=\"{Seconds(remaining)}\"");
    }

    /// <summary>The address dialled an alias that is no service (and, for the gateway, matched no rule). True when it is now quarantined.</summary>
    public bool RecordUnknownAlias(string remoteAddress) => _aliasFailuresByAddress.RecordFailure(remoteAddress);

    /// <summary>Forgets keys with no recent failures and no block, so a long scan leaves no garbage behind.</summary>
    public void Prune()
    {
        _pinFailuresByService.Prune();
        _aliasFailuresByAddress.Prune();
    }

    /// <summary>Keys currently tracked (for tests and metrics).</summary>
    public int TrackedKeys => _pinFailuresByService.Count + _aliasFailuresByAddress.Count;

    private static long Seconds(TimeSpan remaining) => (long)Math.Ceiling(remaining.TotalSeconds);

    /// <summary>Per-key failure timestamps in a sliding window, and the block each key may be under.</summary>
    private sealed class FailureWindow(BreakInOptions options, TimeProvider time)
    {
        private readonly Dictionary<string, KeyState> _keys = new(StringComparer.OrdinalIgnoreCase);

        public int Count => _keys.Count;

        public TimeSpan RemainingBlock(string key) =>
            _keys.TryGetValue(key, out var state) && state.BlockedUntil is { } until && until > time.GetUtcNow()
                ? until - time.GetUtcNow()
                : TimeSpan.Zero;

        public bool RecordFailure(string key)
        {
            var now = time.GetUtcNow();
            if (!_keys.TryGetValue(key, out var state)) _keys[key] = state = new KeyState();
            if (state.BlockedUntil is { } until && until > now) return false; // already blocked; the block is not extended
            state.BlockedUntil = null;
            Expire(state, now);
            state.Failures.Enqueue(now);
            if (state.Failures.Count <= options.Threshold) return false;
            // "More than 20 ... in a 10 minute window": the 21st failure blocks. The count starts afresh afterwards.
            state.BlockedUntil = now + options.BlockDuration;
            state.Failures.Clear();
            return true;
        }

        public void Prune()
        {
            var now = time.GetUtcNow();
            foreach (var (key, state) in _keys.ToArray())
            {
                Expire(state, now);
                if (state.Failures.Count == 0 && (state.BlockedUntil is null || state.BlockedUntil <= now)) _keys.Remove(key);
            }
        }

        private void Expire(KeyState state, DateTimeOffset now)
        {
            while (state.Failures.TryPeek(out var oldest) && now - oldest >= options.Window) state.Failures.Dequeue();
        }

        private sealed class KeyState
        {
            public readonly Queue<DateTimeOffset> Failures = new();
            public DateTimeOffset? BlockedUntil;
        }
    }
}
