using System.Globalization;

namespace ConferenceCluster.Sip.Sdp;

/// <summary>m=&lt;media&gt; &lt;port&gt;[/&lt;number of ports&gt;] &lt;proto&gt; &lt;fmt&gt; ... and its i/c/b/k/a lines (RFC 4566 5.14).</summary>
public sealed class SdpMediaDescription
{
    public SdpMediaDescription(string media, int port, string protocol, IEnumerable<string> formats)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
        Formats = new List<string>(formats);
    }

    public string Media { get; set; }

    /// <summary>0 means the stream is rejected or disabled (RFC 3264 6, 8.2).</summary>
    public int Port { get; set; }

    public int? PortCount { get; set; }

    public string Protocol { get; set; }

    /// <summary>Payload type numbers for RTP/AVP, as text.</summary>
    public List<string> Formats { get; }

    public string? Information { get; set; }

    public List<SdpConnection> Connections { get; } = new();

    public List<string> Bandwidths { get; } = new();

    public string? Key { get; set; }

    public List<SdpAttribute> Attributes { get; } = new();

    public bool IsRtp => Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase);

    public string? GetAttribute(string name) => Attributes.Find(a => a.Name == name)?.Value;

    public bool HasAttribute(string name) => Attributes.Exists(a => a.Name == name);

    /// <summary>The direction attribute of this stream, or null if it has none (then the session's applies).</summary>
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

    /// <summary>a=ptime in milliseconds, if present (RFC 4566 6).</summary>
    public int? Ptime => int.TryParse(GetAttribute("ptime"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : null;

    /// <summary>a=rtcp port (RFC 3605), if present.</summary>
    public int? RtcpPort
    {
        get
        {
            var value = GetAttribute("rtcp");
            if (value is null) return null;
            var space = value.IndexOf(' ');
            var portText = space >= 0 ? value[..space] : value;
            return int.TryParse(portText, out var p) && p is > 0 and <= 65535 ? p : null;
        }
    }

    public IEnumerable<SdpRtpMap> RtpMaps
    {
        get
        {
            foreach (var a in Attributes)
            {
                if (a.Name == "rtpmap" && SdpRtpMap.TryParse(a.Value, out var map)) yield return map;
            }
        }
    }

    /// <summary>
    /// The local id of a header extension from "a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;uri&gt; [attributes]" (RFC 8285 §8),
    /// or null if the stream does not map <paramref name="uri"/> (or maps it to an id outside 1–255).
    /// </summary>
    public int? GetExtensionId(string uri)
    {
        foreach (var a in Attributes)
        {
            if (a.Name != "extmap" || a.Value is null) continue;
            var parts = a.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !string.Equals(parts[1], uri, StringComparison.OrdinalIgnoreCase)) continue;
            var idText = parts[0].Split('/')[0];
            if (int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id is >= 1 and <= 255 && id != 15) return id;
        }
        return null;
    }

    /// <summary>The fmtp parameters for a payload type ("a=fmtp:&lt;pt&gt; &lt;params&gt;"), or null.</summary>
    public string? GetFormatParameters(int payloadType)
    {
        var prefix = payloadType.ToString(CultureInfo.InvariantCulture);
        foreach (var a in Attributes)
        {
            if (a.Name != "fmtp" || a.Value is null) continue;
            var v = a.Value.AsSpan();
            if (v.StartsWith(prefix) && v.Length > prefix.Length && v[prefix.Length] == ' ')
            {
                return v[(prefix.Length + 1)..].Trim().ToString();
            }
        }
        return null;
    }
}
