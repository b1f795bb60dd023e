using System.Globalization;

namespace ConferenceCluster.Media.Transport;

/// <summary>An inclusive range of UDP ports for RTP/RTCP, written "40000-49999".</summary>
public readonly record struct PortRange
{
    public PortRange(int first, int last)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, 65535);
        if (last - first < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, "A port range holds at least one RTP/RTCP pair.");
        }

        First = first;
        Last = last;
    }

    public static PortRange Default { get; } = new(40000, 49999);

    public int First { get; }

    public int Last { get; }

    /// <summary>Even-RTP/odd-RTCP pairs that fit in the range (RFC 3550 §11: RTP even, RTCP the next odd port).</summary>
    public int PairCount => (Last - FirstEven + 1) / 2;

    /// <summary>The first even port of the range.</summary>
    public int FirstEven => First + (First & 1);

    public static PortRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last))
        {
            throw new FormatException($"A port range is written \"first-last\", e.g. \"40000-49999\", not \"{text}\".");
        }

        return new PortRange(first, last);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}
