using System.Globalization;
using System.Net;
using System.Text;
using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>The participant's side of the offer/answer (RFC 3264): G.711 µ-law plus telephone-event, and reading where the far end wants RTP.</summary>
public static class AudioSdp
{
    public const byte DefaultTelephoneEventPayloadType = 101;

    public static byte[] CreateOffer(string address, int rtpPort, long sessionId, ulong version) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"v=0\r\no=loadtest {sessionId} {version} IN IP4 {address}\r\ns=loadtest\r\nc=IN IP4 {address}\r\nt=0 0\r\n" +
        $"m=audio {rtpPort} RTP/AVP 0 {DefaultTelephoneEventPayloadType}\r\na=rtpmap:0 PCMU/8000\r\n" +
        $"a=rtpmap:{DefaultTelephoneEventPayloadType} telephone-event/8000\r\na=fmtp:{DefaultTelephoneEventPayloadType} 0-15\r\na=ptime:20\r\na=sendrecv\r\n"));

    /// <summary>The RTP address of the first active audio stream, and the telephone-event payload type it agreed (101 if none).</summary>
    public static bool TryReadRemote(ReadOnlyMemory<byte> sdp, out IPEndPoint? rtp, out byte telephoneEventPayloadType)
    {
        rtp = null;
        telephoneEventPayloadType = DefaultTelephoneEventPayloadType;
        if (!SdpSessionDescription.TryParse(sdp.Span, out var session, out _) || session is null) return false;
        var audio = session.Media.Find(m => m.Media == "audio" && m.Port > 0);
        if (audio is null || session.GetEffectiveConnection(audio) is not { } connection) return false;
        if (!IPAddress.TryParse(connection.Host, out var address)) return false;
        foreach (var map in audio.RtpMaps)
        {
            if (map.EncodingName.Equals("telephone-event", StringComparison.OrdinalIgnoreCase)) telephoneEventPayloadType = (byte)map.PayloadType;
        }
        rtp = new IPEndPoint(address, audio.Port);
        return true;
    }
}
