using System.Globalization;

namespace ConferenceCluster.Sip.Sdp;

/// <summary>
/// Reads the video attributes of an m=video line that decide what an endpoint can receive: the VP8 fmtp (max-fs,
/// max-fr, RFC 7741 §6.1), a=imageattr (RFC 6236), a=rtcp-fb (RFC 4585 §4.2) and b=AS / b=TIAS (RFC 4566 §5.8, RFC
/// 3890). Tolerant: anything it cannot read is as if absent. Never throws.
/// </summary>
public static class SdpVideoAttributes
{
    /// <summary>The value of <paramref name="name"/> in an fmtp parameter list ("max-fs=3600;max-fr=30").</summary>
    public static int? FormatParameter(string? parameters, string name)
    {
        if (parameters is null)
        {
            return null;
        }

        foreach (string pair in parameters.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(pair[(equals + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>
    /// The largest picture an a=imageattr line lets the endpoint receive: its recv sets (e.g. "recv [x=1280,y=720]",
    /// "recv [x=[320:16:1280],y=[240:16:720]]", "recv [x=[640,1280],y=[360,720],q=0.5]"), for <paramref name="payloadType"/>
    /// or "*". The set with the most pixels wins. Null when there is none, or "recv *".
    /// </summary>
    public static (int Width, int Height)? ImageAttrReceiveMaximum(SdpMediaDescription media, int payloadType)
    {
        (int Width, int Height)? best = null;
        foreach (SdpAttribute attribute in media.Attributes)
        {
            if (attribute.Name != "imageattr" || attribute.Value is not { } value)
            {
                continue;
            }

            string text = value.Trim();
            int space = text.IndexOf(' ');
            if (space <= 0)
            {
                continue;
            }

            string target = text[..space];
            if (target != "*" && target != payloadType.ToString(CultureInfo.InvariantCulture))
            {
                continue;
            }

            int recv = text.IndexOf("recv", space, StringComparison.OrdinalIgnoreCase);
            if (recv < 0)
            {
                continue;
            }

            int send = text.IndexOf("send", recv, StringComparison.OrdinalIgnoreCase);
            string sets = send > recv ? text[(recv + 4)..send] : text[(recv + 4)..];
            foreach ((int Width, int Height) set in Sets(sets))
            {
                if (best is null || (long)set.Width * set.Height > (long)best.Value.Width * best.Value.Height)
                {
                    best = set;
                }
            }
        }

        return best;
    }

    /// <summary>The feedback a=rtcp-fb lines give for <paramref name="payloadType"/> (or "*").</summary>
    public static SdpVideoFeedback Feedback(SdpMediaDescription media, int payloadType)
    {
        var feedback = SdpVideoFeedback.None;
        string pt = payloadType.ToString(CultureInfo.InvariantCulture);
        foreach (SdpAttribute attribute in media.Attributes)
        {
            if (attribute.Name != "rtcp-fb" || attribute.Value is not { } value)
            {
                continue;
            }

            string[] words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || (words[0] != "*" && words[0] != pt))
            {
                continue;
            }

            string kind = words[1].ToLowerInvariant(), parameter = words.Length > 2 ? words[2].ToLowerInvariant() : "";
            feedback |= (kind, parameter) switch
            {
                ("nack", "") => SdpVideoFeedback.Nack,
                ("nack", "pli") => SdpVideoFeedback.PictureLossIndication,
                ("ccm", "fir") => SdpVideoFeedback.FullIntraRequest,
                ("goog-remb", _) => SdpVideoFeedback.Remb,
                _ => SdpVideoFeedback.None,
            };
        }

        return feedback;
    }

    /// <summary>The bandwidth in kbit/s of b=TIAS (bit/s, preferred: RFC 3890 §6.2) or else b=AS (kbit/s), media level first.</summary>
    public static int? BandwidthKbps(SdpSessionDescription session, SdpMediaDescription media) =>
        BandwidthKbps(media.Bandwidths) ?? BandwidthKbps(session.Bandwidths);

    private static int? BandwidthKbps(IEnumerable<string> lines)
    {
        int? tias = null, applicationSpecific = null;
        foreach (string line in lines)
        {
            int colon = line.IndexOf(':');
            if (colon <= 0 || !long.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0)
            {
                continue;
            }

            string modifier = line[..colon].Trim();
            if (modifier.Equals("TIAS", StringComparison.OrdinalIgnoreCase))
            {
                tias = (int)Math.Min(int.MaxValue, value / 1000);
            }
            else if (modifier.Equals("AS", StringComparison.OrdinalIgnoreCase))
            {
                applicationSpecific = (int)Math.Min(int.MaxValue, value);
            }
        }

        return tias ?? applicationSpecific;
    }

    /// <summary>The [x=…,y=…] sets of an imageattr direction, each as its largest x and y.</summary>
    private static IEnumerable<(int, int)> Sets(string sets)
    {
        int depth = 0, start = -1;
        for (int i = 0; i < sets.Length; i++)
        {
            if (sets[i] == '[')
            {
                if (depth++ == 0)
                {
                    start = i + 1;
                }
            }
            else if (sets[i] == ']' && depth > 0 && --depth == 0)
            {
                int? x = Largest(Field(sets[start..i], "x")), y = Largest(Field(sets[start..i], "y"));
                if (x is > 0 and <= 65535 && y is > 0 and <= 65535)
                {
                    yield return (x.Value, y.Value);
                }
            }
        }
    }

    /// <summary>The value of x= or y= inside one set: a number, [a:b], [a:step:b] or [a,b,c].</summary>
    private static string? Field(string set, string name)
    {
        int depth = 0;
        for (int i = 0; i < set.Length; i++)
        {
            char c = set[i];
            if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (depth == 0 && (i == 0 || set[i - 1] == ',') && set.AsSpan(i).StartsWith(name + "=", StringComparison.OrdinalIgnoreCase))
            {
                int valueStart = i + name.Length + 1, end = valueStart, nested = 0;
                for (; end < set.Length; end++)
                {
                    if (set[end] == '[') nested++;
                    else if (set[end] == ']') nested--;
                    else if (set[end] == ',' && nested == 0) break;
                }

                return set[valueStart..end];
            }
        }

        return null;
    }

    private static int? Largest(string? value)
    {
        if (value is null)
        {
            return null;
        }

        int largest = -1;
        foreach (string part in value.Trim('[', ']', ' ').Split([',', ':'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                largest = Math.Max(largest, number);
            }
        }

        return largest > 0 ? largest : null;
    }
}
