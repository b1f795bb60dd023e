namespace ConferenceCluster.Media.WebRtc.Srtp;

/// <summary>
/// RFC 3711 §3.3.2's sliding window over packet indices: the highest index seen and a 64-bit map of the ones
/// before it. An index is fresh if it is newer than the highest, or inside the window and not yet seen.
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 64;

    private ulong _seen; // bit i: highest - i was received
    private bool _started;

    public long Highest { get; private set; }

    public readonly bool IsFresh(long index)
    {
        if (!_started || index > Highest)
        {
            return true;
        }

        long age = Highest - index;
        return age < Size && (_seen & (1UL << (int)age)) == 0;
    }

    /// <summary>Records an authenticated, fresh index.</summary>
    public void Accept(long index)
    {
        if (!_started)
        {
            (_started, Highest, _seen) = (true, index, 1);
            return;
        }

        if (index > Highest)
        {
            long shift = index - Highest;
            _seen = shift >= Size ? 1 : (_seen << (int)shift) | 1;
            Highest = index;
        }
        else
        {
            _seen |= 1UL << (int)(Highest - index);
        }
    }
}
