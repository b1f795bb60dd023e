using System.Buffers;
using System.Globalization;
using System.Text;
using ConferenceCluster.Sip.Headers;

namespace ConferenceCluster.Sip.Messages;

/// <summary>
/// Writes messages in canonical form: full header names (no compact forms), one value per line,
/// ": " after the name, CRLF line ends, no folding, and a Content-Length computed from the body
/// (any Content-Length in the headers is replaced).
/// </summary>
public static class SipSerializer
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    public static byte[] Serialize(SipMessage message)
    {
        var head = BuildHead(message);
        var headBytes = Encoding.UTF8.GetByteCount(head);
        var result = new byte[headBytes + message.Body.Length];
        Encoding.UTF8.GetBytes(head, result);
        message.Body.Span.CopyTo(result.AsSpan(headBytes));
        return result;
    }

    public static void Write(SipMessage message, IBufferWriter<byte> writer)
    {
        var head = BuildHead(message);
        var span = writer.GetSpan(Encoding.UTF8.GetByteCount(head) + message.Body.Length);
        var n = Encoding.UTF8.GetBytes(head, span);
        message.Body.Span.CopyTo(span[n..]);
        writer.Advance(n + message.Body.Length);
    }

    public static string SerializeToString(SipMessage message) => Encoding.UTF8.GetString(Serialize(message));

    private static string BuildHead(SipMessage message)
    {
        var sb = new StringBuilder(512);
        AppendStartLine(sb, message);
        foreach (var field in message.Headers)
        {
            if (ReferenceEquals(field.Name, SipHeaderNames.ContentLength)) continue;
            sb.Append(field.Name).Append(": ").Append(field.Value).Append("\r\n");
        }
        sb.Append(SipHeaderNames.ContentLength).Append(": ")
            .Append(message.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        return sb.ToString();
    }

    private static void AppendStartLine(StringBuilder sb, SipMessage message)
    {
        switch (message)
        {
            case SipRequest request:
                sb.Append(request.Method).Append(' ');
                request.RequestUri.AppendTo(sb);
                sb.Append(' ').Append(SipMessage.Version).Append("\r\n");
                break;
            case SipResponse response:
                sb.Append(SipMessage.Version).Append(' ')
                    .Append(response.StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ')
                    .Append(response.ReasonPhrase).Append("\r\n");
                break;
        }
    }
}
