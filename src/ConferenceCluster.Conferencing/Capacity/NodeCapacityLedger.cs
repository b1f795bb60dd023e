namespace ConferenceCluster.Conferencing.Capacity;

/// <summary>
/// The media capacity of one Conferencing Node and what each conference holds of it. A NodeGrain owns one and
/// calls <see cref="TryReserve"/> in a single turn, which makes a ConferenceGrain's reservation atomic: two
/// conferences that chose the same node from stale snapshots cannot both overfill it.
/// </summary>
public sealed class NodeCapacityLedger
{
    private readonly Dictionary<string, CapacityUnits> _heldByConference = new(StringComparer.Ordinal);

    public NodeCapacityLedger(CapacityUnits capacity)
    {
        if (capacity < CapacityUnits.Zero) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Capacity cannot be negative.");
        Capacity = capacity;
    }

    public CapacityUnits Capacity { get; private set; }

    /// <summary>In maintenance mode the node takes no new media (L11666) but keeps what it has.</summary>
    public bool MaintenanceMode { get; set; }

    public CapacityUnits Load { get; private set; }

    public CapacityUnits Available => MaintenanceMode ? CapacityUnits.Zero : CapacityUnits.Max(CapacityUnits.Zero, Capacity - Load);

    /// <summary>Media load as a whole percentage of capacity, rounded up; 100 in maintenance mode (L11680, R60).</summary>
    public int LoadPercent => MaintenanceMode || Capacity.Value == 0
        ? 100
        : (int)Math.Min(100, (Load.Value * 100 + Capacity.Value - 1) / Capacity.Value);

    public IReadOnlyDictionary<string, CapacityUnits> HeldByConference => _heldByConference;

    public CapacityUnits HeldBy(string conference) => _heldByConference.GetValueOrDefault(conference);

    /// <summary>Takes <paramref name="units"/> for <paramref name="conference"/> if they are free; otherwise changes nothing.</summary>
    public bool TryReserve(string conference, CapacityUnits units)
    {
        if (units < CapacityUnits.Zero) throw new ArgumentOutOfRangeException(nameof(units), units, "Reserve a positive amount.");
        if (units > Available) return false;
        _heldByConference[conference] = HeldBy(conference) + units;
        Load += units;
        return true;
    }

    /// <summary>Returns units a conference held (a participant left, or the node stopped hosting it).</summary>
    public void Release(string conference, CapacityUnits units)
    {
        var held = HeldBy(conference);
        if (units < CapacityUnits.Zero || units > held)
            throw new InvalidOperationException($"Conference \"{conference}\" holds {held}; cannot release {units}.");
        var remaining = held - units;
        if (remaining == CapacityUnits.Zero) _heldByConference.Remove(conference);
        else _heldByConference[conference] = remaining;
        Load -= units;
    }

    /// <summary>Returns everything a conference held (the conference ended or its grain was lost).</summary>
    public CapacityUnits ReleaseAll(string conference)
    {
        var held = HeldBy(conference);
        if (held > CapacityUnits.Zero) Release(conference, held);
        return held;
    }

    /// <summary>The node re-measured its capacity. Existing calls keep running even if the node is now over capacity.</summary>
    public void ChangeCapacity(CapacityUnits capacity)
    {
        if (capacity < CapacityUnits.Zero) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Capacity cannot be negative.");
        Capacity = capacity;
    }
}
