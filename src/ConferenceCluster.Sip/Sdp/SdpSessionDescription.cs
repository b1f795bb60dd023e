using System.Globalization;
using System.Text;

namespace ConferenceCluster.Sip.Sdp;

/// <summary>
/// A session description (RFC 4566). <see cref="ToString"/> writes the lines in the order section 5
/// prescribes, each ending in CRLF.
/// </summary>
public sealed class SdpSessionDescription
{
    public int Version { get; set; }

    public SdpOrigin Origin { get; set; } = new("-", "0", 0, "IN", "IP4", "0.0.0.0");

    public string SessionName { get; set; } = "-";

    public string? Information { get; set; }

    public string? Uri { get; set; }

    public List<string> Emails { get; } = new();

    public List<string> Phones { get; } = new();

    public SdpConnection? Connection { get; set; }

    public List<string> Bandwidths { get; } = new();

    public List<SdpTiming> Timings { get; } = new();

    public string? TimeZones { get; set; }

    public string? Key { get; set; }

    public List<SdpAttribute> Attributes { get; } = new();

    public List<SdpMediaDescription> Media { get; } = new();

    public SdpDirection? Direction
    {
        get
        {
            foreach (var a in Attributes)
            {
                if (SdpDirectionExtensions.FromAttributeName(a.Name) is { } d) return d;
            }
            return null;
        }
    }

    /// <summary>The connection that applies to a stream: its own c= line, else the session's (RFC 4566 5.7).</summary>
    public SdpConnection? GetEffectiveConnection(SdpMediaDescription media) =>
        media.Connections.Count > 0 ? media.Connections[0] : Connection;

    public static bool TryParse(string text, out SdpSessionDescription? sdp, out string? error) =>
        SdpParser.TryParse(text, out sdp, out error);

    public static bool TryParse(ReadOnlySpan<byte> utf8, out SdpSessionDescription? sdp, out string? error) =>
        SdpParser.TryParse(Encoding.UTF8.GetString(utf8), out sdp, out error);

    public byte[] ToUtf8Bytes() => Encoding.UTF8.GetBytes(ToString());

    public override string ToString()
    {
        var sb = new StringBuilder(512);
        Line(sb, 'v', Version.ToString(CultureInfo.InvariantCulture));
        Line(sb, 'o', Origin.ToString());
        Line(sb, 's', string.IsNullOrEmpty(SessionName) ? "-" : SessionName);
        if (Information is not null) Line(sb, 'i', Information);
        if (Uri is not null) Line(sb, 'u', Uri);
        foreach (var e in Emails) Line(sb, 'e', e);
        foreach (var p in Phones) Line(sb, 'p', p);
        if (Connection is not null) Line(sb, 'c', Connection.ToString());
        foreach (var b in Bandwidths) Line(sb, 'b', b);
        var timings = Timings.Count > 0 ? (IEnumerable<SdpTiming>)Timings : [SdpTiming.Permanent];
        foreach (var t in timings)
        {
            Line(sb, 't', t.Time);
            foreach (var r in t.Repeats) Line(sb, 'r', r);
        }
        if (TimeZones is not null) Line(sb, 'z', TimeZones);
        if (Key is not null) Line(sb, 'k', Key);
        foreach (var a in Attributes) Line(sb, 'a', a.ToString());
        foreach (var m in Media) AppendMedia(sb, m);
        return sb.ToString();
    }

    private static void AppendMedia(StringBuilder sb, SdpMediaDescription m)
    {
        sb.Append("m=").Append(m.Media).Append(' ').Append(m.Port);
        if (m.PortCount is { } count) sb.Append('/').Append(count);
        sb.Append(' ').Append(m.Protocol);
        foreach (var f in m.Formats) sb.Append(' ').Append(f);
        sb.Append("\r\n");
        if (m.Information is not null) Line(sb, 'i', m.Information);
        foreach (var c in m.Connections) Line(sb, 'c', c.ToString());
        foreach (var b in m.Bandwidths) Line(sb, 'b', b);
        if (m.Key is not null) Line(sb, 'k', m.Key);
        foreach (var a in m.Attributes) Line(sb, 'a', a.ToString());
    }

    private static void Line(StringBuilder sb, char type, string value) =>
        sb.Append(type).Append('=').Append(value).Append("\r\n");
}
