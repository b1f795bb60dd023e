namespace ConferenceCluster.Media.Rtp;

/// <summary>What <see cref="RtpReceiveStatistics.Update"/> decided about one packet.</summary>
public enum RtpSequenceVerdict
{
    /// <summary>In sequence (or a small reordering within <see cref="RtpReceiveStatistics.MaxMisorder"/>): deliver it.</summary>
    Valid,
    /// <summary>The source is still on probation (RFC 3550 A.1): not yet delivered.</summary>
    Probation,
    /// <summary>A very large jump; one more in-sequence packet after it restarts the source.</summary>
    BadSequence,
    /// <summary>A new SSRC (or a confirmed restart): statistics were reset and the source is on probation again.</summary>
    SourceChanged,
}

/// <summary>
/// Receive statistics of one RTP source, as RFC 3550 Appendix A defines them: sequence validation with probation
/// (A.1), extended highest sequence number with wrap-around cycles, expected and lost packets and the fraction lost
/// per report interval (A.3), and interarrival jitter (A.8). Not thread-safe: one stream's worker owns it.
/// </summary>
public sealed class RtpReceiveStatistics
{
    /// <summary>Sequential packets needed before a new source is valid (RFC 3550 A.1 MIN_SEQUENTIAL).</summary>
    public const int MinSequential = 2;

    /// <summary>Largest forward jump still treated as loss rather than a restart (A.1 MAX_DROPOUT).</summary>
    public const int MaxDropout = 3000;

    /// <summary>Largest backward step still treated as reordering (A.1 MAX_MISORDER).</summary>
    public const int MaxMisorder = 100;

    private const uint SequenceModulo = 1 << 16;

    private ushort _maxSequence;
    private uint _cycles;           // shifted count of wraps (multiples of 65536)
    private uint _baseSequence;
    private uint _badSequence = SequenceModulo + 1; // "so seq == bad_seq is false"
    private int _probation;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private bool _initialised;

    // A.8 jitter: transit = arrival - rtp timestamp, both in timestamp units.
    private long _lastTransit;
    private bool _haveTransit;
    private double _jitter;

    /// <param name="clockRate">RTP clock of the payload format (48000 for Opus, 8000 for G.711).</param>
    public RtpReceiveStatistics(int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ClockRate = clockRate;
    }

    public int ClockRate { get; }

    /// <summary>SSRC of the source being tracked; 0 before the first packet.</summary>
    public uint Ssrc { get; private set; }

    /// <summary>Whether a packet has been seen since the last reset.</summary>
    public bool HasSource => _initialised;

    /// <summary>Valid packets counted (duplicates included, as in A.3).</summary>
    public long PacketsReceived => _received;

    /// <summary>Extended highest sequence number received: cycles × 65536 + highest sequence.</summary>
    public long ExtendedHighestSequence => _cycles + _maxSequence;

    /// <summary>Wrap-arounds of the 16-bit sequence number so far.</summary>
    public long Cycles => _cycles >> 16;

    /// <summary>Packets expected: extended highest − base + 1 (A.3).</summary>
    public long PacketsExpected => _initialised ? ExtendedHighestSequence - _baseSequence + 1 : 0;

    /// <summary>Cumulative packets lost: expected − received. Negative with duplicates, as RFC 3550 allows.</summary>
    public long PacketsLost => PacketsExpected - _received;

    /// <summary>Interarrival jitter in RTP timestamp units (A.8's J, unscaled).</summary>
    public double JitterTimestampUnits => _jitter;

    /// <summary>Interarrival jitter in milliseconds.</summary>
    public double JitterMilliseconds => _jitter * 1000.0 / ClockRate;

    /// <summary>The jitter field of a reception report: J truncated to an integer (A.8).</summary>
    public uint ReportedJitter => (uint)_jitter;

    /// <summary>Clamped 24-bit cumulative loss as sent in a report block (RFC 3550 §6.4.1).</summary>
    public int ReportedCumulativeLost => (int)Math.Clamp(PacketsLost, -0x800000, 0x7FFFFF);

    /// <summary>
    /// Accounts for one received packet.
    /// </summary>
    /// <param name="ssrc">The packet's SSRC; a different one from the tracked source restarts everything.</param>
    /// <param name="sequence">The packet's sequence number.</param>
    /// <param name="rtpTimestamp">The packet's RTP timestamp.</param>
    /// <param name="arrivalTimestampUnits">Arrival time converted to RTP timestamp units on any fixed local origin.</param>
    /// <param name="sampleJitter">False for packets whose timestamp is not their sampling instant (RFC 4733 events
    /// repeat their start timestamp): they count for sequence and loss but not for jitter.</param>
    public RtpSequenceVerdict Update(uint ssrc, ushort sequence, uint rtpTimestamp, long arrivalTimestampUnits, bool sampleJitter = true)
    {
        if (!_initialised || ssrc != Ssrc)
        {
            // A.1: the first packet of a source sets it up and then goes through update_seq like any other.
            bool changed = _initialised;
            Restart(ssrc, sequence);
            RtpSequenceVerdict first = UpdateSequence(sequence);
            return changed ? RtpSequenceVerdict.SourceChanged : first;
        }

        RtpSequenceVerdict verdict = UpdateSequence(sequence);
        if (verdict == RtpSequenceVerdict.Valid && sampleJitter)
        {
            UpdateJitter(rtpTimestamp, arrivalTimestampUnits);
        }

        return verdict;
    }

    /// <summary>
    /// Expected and lost packets since the previous call, and the 8-bit fraction lost of a report block (A.3).
    /// Call once per report sent.
    /// </summary>
    public byte TakeFractionLost()
    {
        long expected = PacketsExpected;
        long expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        long receivedInterval = _received - _receivedPrior;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval == 0 || lostInterval <= 0)
        {
            return 0;
        }

        return (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
    }

    private void Restart(uint ssrc, ushort sequence)
    {
        Ssrc = ssrc;
        _initialised = true;
        InitSequence(sequence);
        _maxSequence = (ushort)(sequence - 1);
        _probation = MinSequential;
        _haveTransit = false;
        _jitter = 0;
    }

    // RFC 3550 A.1 init_seq.
    private void InitSequence(ushort sequence)
    {
        _baseSequence = sequence;
        _maxSequence = sequence;
        _badSequence = SequenceModulo + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }

    // RFC 3550 A.1 update_seq, with the source's probation.
    private RtpSequenceVerdict UpdateSequence(ushort sequence)
    {
        ushort delta = (ushort)(sequence - _maxSequence);
        if (_probation > 0)
        {
            if (sequence == (ushort)(_maxSequence + 1))
            {
                _probation--;
                _maxSequence = sequence;
                if (_probation == 0)
                {
                    InitSequence(sequence);
                    _received++;
                    return RtpSequenceVerdict.Valid;
                }
            }
            else
            {
                _probation = MinSequential - 1;
                _maxSequence = sequence;
            }

            return RtpSequenceVerdict.Probation;
        }

        if (delta < MaxDropout)
        {
            if (sequence < _maxSequence)
            {
                _cycles += SequenceModulo; // wrapped
            }

            _maxSequence = sequence;
        }
        else if (delta <= SequenceModulo - MaxMisorder)
        {
            if (sequence == _badSequence)
            {
                // Two sequential packets after a big jump: the other side restarted without telling us.
                InitSequence(sequence);
                _haveTransit = false;
            }
            else
            {
                _badSequence = (uint)(ushort)(sequence + 1);
                return RtpSequenceVerdict.BadSequence;
            }
        }

        // else: duplicate or reordered within MAX_MISORDER, counted as received.
        _received++;
        return RtpSequenceVerdict.Valid;
    }

    // RFC 3550 A.8: D = (Rj − Ri) − (Sj − Si) via transit times; J += (|D| − J) / 16.
    private void UpdateJitter(uint rtpTimestamp, long arrivalTimestampUnits)
    {
        long transit = (uint)arrivalTimestampUnits - (long)rtpTimestamp;
        // Both are modulo 2^32 clocks; take the difference modulo 2^32 as a signed value.
        transit = (int)(uint)transit;
        if (_haveTransit)
        {
            long d = (int)(uint)(transit - _lastTransit);
            _jitter += (Math.Abs(d) - _jitter) / 16.0;
        }

        _lastTransit = transit;
        _haveTransit = true;
    }
}
