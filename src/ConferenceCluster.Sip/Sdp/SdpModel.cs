namespace ConferenceCluster.Sip.Sdp;

/// <summary>o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt; (RFC 4566 5.2).</summary>
public sealed record SdpOrigin(string Username, string SessionId, ulong SessionVersion, string NetType, string AddressType, string Address)
{
    public override string ToString() => $"{Username} {SessionId} {SessionVersion} {NetType} {AddressType} {Address}";
}

/// <summary>c=&lt;nettype&gt; &lt;addrtype&gt; &lt;connection-address&gt; (RFC 4566 5.7); the address may carry /ttl/count.</summary>
public sealed record SdpConnection(string NetType, string AddressType, string Address)
{
    /// <summary>The address without any "/ttl" or "/count" suffix.</summary>
    public string Host => Address.IndexOf('/') is var slash and >= 0 ? Address[..slash] : Address;

    /// <summary>RFC 2543 hold: c=IN IP4 0.0.0.0 (RFC 3264 8.4 asks answerers to still understand it).</summary>
    public bool IsHoldAddress => Host == "0.0.0.0";

    public override string ToString() => $"{NetType} {AddressType} {Address}";
}

/// <summary>a=&lt;name&gt; or a=&lt;name&gt;:&lt;value&gt; (RFC 4566 5.13).</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary>t=&lt;start-time&gt; &lt;stop-time&gt; and its r= lines (RFC 4566 5.9, 5.10), kept as text.</summary>
public sealed record SdpTiming(string Time, IReadOnlyList<string> Repeats)
{
    public static SdpTiming Permanent { get; } = new("0 0", Array.Empty<string>());
}

/// <summary>a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;] (RFC 4566 6).</summary>
public readonly record struct SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int Channels)
{
    public static bool TryParse(string? value, out SdpRtpMap map)
    {
        map = default;
        if (value is null) return false;
        var s = value.AsSpan().Trim();
        var space = s.IndexOf(' ');
        if (space <= 0 || !int.TryParse(s[..space], out var pt) || pt is < 0 or > 127) return false;
        var encoding = s[(space + 1)..].Trim();
        var slash = encoding.IndexOf('/');
        if (slash <= 0) return false;
        var name = encoding[..slash];
        var rest = encoding[(slash + 1)..];
        var slash2 = rest.IndexOf('/');
        var rateText = slash2 >= 0 ? rest[..slash2] : rest;
        var channels = 1;
        if (!int.TryParse(rateText, out var rate) || rate <= 0) return false;
        if (slash2 >= 0 && (!int.TryParse(rest[(slash2 + 1)..], out channels) || channels <= 0)) return false;
        map = new SdpRtpMap(pt, name.ToString(), rate, channels);
        return true;
    }

    public override string ToString() =>
        Channels > 1 ? $"{PayloadType} {EncodingName}/{ClockRate}/{Channels}" : $"{PayloadType} {EncodingName}/{ClockRate}";
}

/// <summary>Media direction attributes (RFC 3264 5.1, 6.1).</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public static class SdpDirectionExtensions
{
    public static string ToAttributeName(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    internal static SdpDirection? FromAttributeName(string name) => name switch
    {
        "sendrecv" => SdpDirection.SendRecv,
        "sendonly" => SdpDirection.SendOnly,
        "recvonly" => SdpDirection.RecvOnly,
        "inactive" => SdpDirection.Inactive,
        _ => null,
    };

    /// <summary>What the other side's direction means for us: their sendonly is our recvonly (RFC 3264 6.1).</summary>
    public static SdpDirection Reverse(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => SdpDirection.RecvOnly,
        SdpDirection.RecvOnly => SdpDirection.SendOnly,
        _ => direction,
    };

    public static bool CanSend(this SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public static bool CanReceive(this SdpDirection d) => d is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    /// <summary>Both sides' wishes at once: we send only if we want to and they receive.</summary>
    internal static SdpDirection Intersect(SdpDirection ours, SdpDirection allowedByOffer)
    {
        var send = ours.CanSend() && allowedByOffer.CanSend();
        var receive = ours.CanReceive() && allowedByOffer.CanReceive();
        return (send, receive) switch
        {
            (true, true) => SdpDirection.SendRecv,
            (true, false) => SdpDirection.SendOnly,
            (false, true) => SdpDirection.RecvOnly,
            _ => SdpDirection.Inactive,
        };
    }
}
