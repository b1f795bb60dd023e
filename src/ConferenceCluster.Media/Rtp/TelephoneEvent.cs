using System.Buffers.Binary;

namespace ConferenceCluster.Media.Rtp;

/// <summary>
/// One RFC 4733 telephone-event payload (§2.3): event code, end bit, volume and duration. Events 0–9 are the
/// digits, 10 is '*', 11 is '#', 12–15 are A–D.
/// </summary>
public readonly record struct TelephoneEvent(byte EventCode, bool End, byte Volume, ushort Duration)
{
    public const int PayloadLength = 4;

    /// <summary>Parses the first event of a payload (redundant blocks after it are ignored). Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent telephoneEvent)
    {
        if (payload.Length < PayloadLength)
        {
            telephoneEvent = default;
            return false;
        }

        telephoneEvent = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload.Slice(2, 2)));
        return true;
    }

    public int Write(Span<byte> destination)
    {
        destination[0] = EventCode;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
        return PayloadLength;
    }

    /// <summary>The DTMF character of the event (0–9, *, #, A–D), or null for a non-DTMF event.</summary>
    public char? Digit => EventCode switch
    {
        <= 9 => (char)('0' + EventCode),
        10 => '*',
        11 => '#',
        <= 15 => (char)('A' + EventCode - 12),
        _ => null,
    };
}

/// <summary>A DTMF key press received from a participant: reported once, when it ends.</summary>
/// <param name="Digit">0–9, *, #, A–D.</param>
/// <param name="DurationMs">How long the key was held, from the event's duration field.</param>
public readonly record struct DtmfDigit(char Digit, int DurationMs);

/// <summary>
/// Turns a stream of telephone-event packets into key presses. An event is identified by its RTP timestamp (the
/// start of the event, RFC 4733 §2.5.1.2); its end is sent three times (§2.5.1.4) and retransmissions must not
/// count twice, so each event is reported once, on the first end packet carrying its timestamp.
/// </summary>
public sealed class TelephoneEventDetector
{
    private readonly int _clockRate;
    private uint _lastReportedTimestamp;
    private bool _reportedAny;
    private bool _pressResumed;

    /// <param name="clockRate">The telephone-event clock (8000 for "telephone-event/8000", 48000 alongside Opus).</param>
    public TelephoneEventDetector(int clockRate = 8000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
    }

    /// <summary>Feeds one telephone-event packet.</summary>
    /// <returns>True once per key press, with the digit.</returns>
    public bool TryDetect(uint rtpTimestamp, ReadOnlySpan<byte> payload, out DtmfDigit digit)
    {
        digit = default;
        if (!TelephoneEvent.TryParse(payload, out TelephoneEvent e) || e.Digit is not char c)
        {
            return false;
        }

        if (!e.End)
        {
            // A key press under way with the timestamp of the last one reported is a new press: only replayed
            // captures (SIPp's play_pcap_audio of the same digit twice) do that, and a keypad is pressed twice.
            _pressResumed |= _reportedAny && rtpTimestamp == _lastReportedTimestamp;
            return false;
        }

        if (_reportedAny && rtpTimestamp == _lastReportedTimestamp && !_pressResumed)
        {
            return false; // the second or third copy of an end packet
        }

        _reportedAny = true;
        _pressResumed = false;
        _lastReportedTimestamp = rtpTimestamp;
        digit = new DtmfDigit(c, (int)(e.Duration * 1000L / _clockRate));
        return true;
    }
}
