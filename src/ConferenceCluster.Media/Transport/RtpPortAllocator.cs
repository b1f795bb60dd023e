namespace ConferenceCluster.Media.Transport;

/// <summary>
/// Hands out RTP/RTCP port pairs (even RTP port, RTCP on the next odd one) from a <see cref="PortRange"/>.
/// Next-fit from a moving cursor, so a port just released is not reused at once: a late packet of the old call
/// then cannot land in the new one. Thread-safe; allocation happens at call setup, never on the tick.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly Lock _lock = new();
    private readonly bool[] _inUse;
    private int _cursor;
    private int _allocated;

    public RtpPortAllocator(PortRange range)
    {
        Range = range;
        _inUse = new bool[range.PairCount];
    }

    public PortRange Range { get; }

    /// <summary>Pairs currently handed out.</summary>
    public int Allocated
    {
        get
        {
            lock (_lock)
            {
                return _allocated;
            }
        }
    }

    public int Capacity => _inUse.Length;

    /// <summary>Takes a free pair.</summary>
    /// <param name="rtpPort">The even RTP port; RTCP is <paramref name="rtpPort"/> + 1.</param>
    /// <returns>False when every pair is in use.</returns>
    public bool TryAllocate(out int rtpPort)
    {
        lock (_lock)
        {
            for (int i = 0; i < _inUse.Length; i++)
            {
                int pair = (_cursor + i) % _inUse.Length;
                if (!_inUse[pair])
                {
                    _inUse[pair] = true;
                    _allocated++;
                    _cursor = (pair + 1) % _inUse.Length;
                    rtpPort = Range.FirstEven + 2 * pair;
                    return true;
                }
            }
        }

        rtpPort = 0;
        return false;
    }

    /// <summary>Returns a pair.</summary>
    /// <returns>False if the port was not allocated here (a double release is harmless).</returns>
    public bool Release(int rtpPort)
    {
        int offset = rtpPort - Range.FirstEven;
        if (offset < 0 || (offset & 1) != 0 || offset / 2 >= _inUse.Length)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_inUse[offset / 2])
            {
                return false;
            }

            _inUse[offset / 2] = false;
            _allocated--;
            return true;
        }
    }
}
