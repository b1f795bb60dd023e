using System.Globalization;
using System.Net;
using System.Text;
using ConferenceCluster.LoadTest.Running;
using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>What the far end's SDP says about our audio: where to send it, and the payload types and extension id to use.</summary>
public sealed record RemoteAudio(IPEndPoint Rtp, byte AudioPayloadType, byte TelephoneEventPayloadType, byte? AudioLevelExtensionId);

/// <summary>
/// The participant's side of the offer/answer (RFC 3264): G.711 µ-law, or Opus with the RFC 6464 audio level
/// extension (RFC 8285 a=extmap), plus telephone-event; and reading where the far end wants RTP.
/// </summary>
public static class AudioSdp
{
    public const byte DefaultTelephoneEventPayloadType = 101;

    public const byte OpusPayloadType = 111;

    /// <summary>The extension id we offer the audio level under.</summary>
    public const byte AudioLevelExtensionId = 1;

    public static byte[] CreateOffer(string address, int rtpPort, long sessionId, ulong version) =>
        CreateOffer(address, rtpPort, sessionId, version, LoadCodec.Pcmu, audioLevels: false);

    public static byte[] CreateOffer(string address, int rtpPort, long sessionId, ulong version, LoadCodec codec, bool audioLevels)
    {
        var te = DefaultTelephoneEventPayloadType;
        var media = codec == LoadCodec.Opus
            ? FormattableString.Invariant($"m=audio {rtpPort} RTP/AVP {OpusPayloadType} {te}\r\na=rtpmap:{OpusPayloadType} opus/48000/2\r\na=fmtp:{OpusPayloadType} minptime=10;useinbandfec=1;usedtx=1\r\n") +
              (audioLevels ? FormattableString.Invariant($"a=extmap:{AudioLevelExtensionId} {SdpOfferAnswer.AudioLevelExtensionUri}\r\n") : "")
            : FormattableString.Invariant($"m=audio {rtpPort} RTP/AVP 0 {te}\r\na=rtpmap:0 PCMU/8000\r\n");
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"v=0\r\no=loadtest {sessionId} {version} IN IP4 {address}\r\ns=loadtest\r\nc=IN IP4 {address}\r\nt=0 0\r\n{media}a=rtpmap:{te} telephone-event/8000\r\na=fmtp:{te} 0-15\r\na=ptime:20\r\na=sendrecv\r\n"));
    }

    /// <summary>The RTP address of the first active audio stream, and the telephone-event payload type it agreed (101 if none).</summary>
    public static bool TryReadRemote(ReadOnlyMemory<byte> sdp, out IPEndPoint? rtp, out byte telephoneEventPayloadType)
    {
        var ok = TryReadRemote(sdp, out RemoteAudio? remote);
        rtp = remote?.Rtp;
        telephoneEventPayloadType = remote?.TelephoneEventPayloadType ?? DefaultTelephoneEventPayloadType;
        return ok;
    }

    /// <summary>Everything the answer (or a re-INVITE's offer) agreed for our audio; false if it has no usable audio stream.</summary>
    public static bool TryReadRemote(ReadOnlyMemory<byte> sdp, out RemoteAudio? remote)
    {
        remote = null;
        if (!SdpSessionDescription.TryParse(sdp.Span, out var session, out _) || session is null) return false;
        var audio = session.Media.Find(m => m.Media == "audio" && m.Port > 0);
        if (audio is null || session.GetEffectiveConnection(audio) is not { } connection) return false;
        if (!IPAddress.TryParse(connection.Host, out var address)) return false;
        var telephoneEvent = DefaultTelephoneEventPayloadType;
        byte audioPayloadType = 0;
        var found = false;
        foreach (var map in audio.RtpMaps)
        {
            if (map.EncodingName.Equals("telephone-event", StringComparison.OrdinalIgnoreCase)) telephoneEvent = (byte)map.PayloadType;
            else if (!found && map.EncodingName.Equals("opus", StringComparison.OrdinalIgnoreCase)) (audioPayloadType, found) = ((byte)map.PayloadType, true);
        }
        var levels = audio.GetExtensionId(SdpOfferAnswer.AudioLevelExtensionUri);
        remote = new RemoteAudio(new IPEndPoint(address, audio.Port), found ? audioPayloadType : (byte)0, telephoneEvent,
            levels is int id and <= 14 ? (byte)id : null);
        return true;
    }
}
