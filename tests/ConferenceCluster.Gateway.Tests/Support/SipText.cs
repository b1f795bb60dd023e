using System.Net;
using System.Text.RegularExpressions;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>Just enough reading of SIP and SDP text (as SIPp logged it, or as our raw client received it) for the assertions.</summary>
internal static class SipText
{
    public static int StatusCode(string message)
    {
        var match = Regex.Match(message, @"^SIP/2\.0 (\d{3}) ");
        return match.Success ? int.Parse(match.Groups[1].Value) : 0;
    }

    public static string? Header(string message, string name)
    {
        var match = Regex.Match(message, $@"^(?:{Regex.Escape(name)})\s*:\s*(.*?)\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    public static string CSeqMethod(string message) => (Header(message, "CSeq") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";

    /// <summary>The audio media of an SDP body: where to send RTP (c= and m= port) and the first payload type.</summary>
    public static (IPEndPoint Rtp, int PayloadType, string Sdp) AudioOf(string message)
    {
        var connection = Regex.Match(message, @"^c=IN IP4 (\S+)\r?$", RegexOptions.Multiline);
        var media = Regex.Match(message, @"^m=audio (\d+) RTP/AVP (\d+)", RegexOptions.Multiline);
        if (!connection.Success || !media.Success)
            throw new FormatException($"no audio SDP in:\n{message}");
        var start = message.IndexOf("v=0", StringComparison.Ordinal);
        var body = start >= 0 ? message[start..] : "";
        return (new IPEndPoint(IPAddress.Parse(connection.Groups[1].Value), int.Parse(media.Groups[1].Value)), int.Parse(media.Groups[2].Value), body);
    }

    /// <summary>Where the SDP body's m=video line says to send video RTP (session c= and its port; RTCP on the next port), or null when video was refused (port 0) or absent.</summary>
    public static IPEndPoint? VideoOf(string message)
    {
        var connection = Regex.Match(message, @"^c=IN IP4 (\S+)\r?$", RegexOptions.Multiline);
        var media = Regex.Match(message, @"^m=video (\d+) ", RegexOptions.Multiline);
        return connection.Success && media.Success && int.Parse(media.Groups[1].Value) is > 0 and var port
            ? new IPEndPoint(IPAddress.Parse(connection.Groups[1].Value), port)
            : null;
    }
}
