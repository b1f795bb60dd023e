namespace ConferenceCluster.Media.Video.Rtp;

/// <summary>
/// Decides when to ask for missing packets again (generic NACK, RFC 4585 §6.2.1): a packet missing now is requested
/// at once, then again every <see cref="RetryIntervalMs"/> (about a round trip) up to <see cref="MaxRequests"/> times;
/// after that it is left to the frame timeout and a key frame request. Plain class with explicit times in ms.
/// </summary>
/// <remarks>A fixed table of <see cref="Capacity"/> entries, so it never allocates; losses beyond it wait their turn.</remarks>
public sealed class NackScheduler
{
    public const int Capacity = 128;

    private readonly ushort[] _sequences = new ushort[Capacity];
    private readonly long[] _lastRequestMs = new long[Capacity];
    private readonly int[] _requests = new int[Capacity];
    private int _count;

    public int RetryIntervalMs { get; init; } = 40;

    public int MaxRequests { get; init; } = 3;

    /// <summary>Sequence numbers requested so far (for statistics).</summary>
    public long Requested { get; private set; }

    /// <summary>
    /// Takes the packets missing right now (oldest first) and writes those due a request to <paramref name="due"/>.
    /// Entries no longer missing (arrived, or given up) are forgotten.
    /// </summary>
    /// <returns>How many are due.</returns>
    public int Update(ReadOnlySpan<ushort> missing, long nowMs, Span<ushort> due)
    {
        // Keep only the entries still missing, in the order of the new list.
        Span<ushort> keptSequences = stackalloc ushort[Capacity];
        Span<long> keptTimes = stackalloc long[Capacity];
        Span<int> keptRequests = stackalloc int[Capacity];
        int kept = 0, dueCount = 0;
        foreach (ushort sequence in missing)
        {
            if (kept == Capacity)
            {
                break;
            }

            int index = IndexOf(sequence);
            long last = index >= 0 ? _lastRequestMs[index] : long.MinValue;
            int requests = index >= 0 ? _requests[index] : 0;
            if (requests < MaxRequests && (requests == 0 || nowMs - last >= RetryIntervalMs) && dueCount < due.Length)
            {
                due[dueCount++] = sequence;
                last = nowMs;
                requests++;
                Requested++;
            }

            keptSequences[kept] = sequence;
            keptTimes[kept] = last;
            keptRequests[kept] = requests;
            kept++;
        }

        keptSequences[..kept].CopyTo(_sequences);
        keptTimes[..kept].CopyTo(_lastRequestMs);
        keptRequests[..kept].CopyTo(_requests);
        _count = kept;
        return dueCount;
    }

    /// <summary>Whether every missing packet has been asked for <see cref="MaxRequests"/> times and at least one retry interval has passed since.</summary>
    public bool Exhausted(long nowMs)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_requests[i] < MaxRequests || nowMs - _lastRequestMs[i] < RetryIntervalMs)
            {
                return false;
            }
        }

        return _count > 0;
    }

    public void Clear() => _count = 0;

    private int IndexOf(ushort sequence)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_sequences[i] == sequence)
            {
                return i;
            }
        }

        return -1;
    }
}
