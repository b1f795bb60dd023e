using System.Globalization;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Sip.Sdp;
using MediaCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Media.WebRtc.Sdp;

/// <summary>
/// What a browser's SDP offer (JSEP, RFC 8829) says about the one audio stream we serve: its m= line and mid, the
/// BUNDLE group, the ICE credentials, the DTLS fingerprint and role, and the codec we pick from it (Opus with in-band
/// FEC, else PCMU, else PCMA), telephone-event and the RFC 6464 audio-level extension id. Parsed with the SDP model of
/// ConferenceCluster.Sip; anything that prevents an answer is a <see cref="WebRtcOfferException"/> naming why.
/// </summary>
public sealed class WebRtcOffer
{
    /// <summary>RFC 6464: the one-byte audio level (and voice activity) of each packet.</summary>
    public const string AudioLevelExtensionUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    private WebRtcOffer(SdpSessionDescription description) => Description = description;

    public SdpSessionDescription Description { get; }

    /// <summary>Index of the audio m= line we accept.</summary>
    public int AudioMediaIndex { get; private init; }

    /// <summary>Its a=mid (null if the offer has no mids: then no BUNDLE either).</summary>
    public string? AudioMid { get; private init; }

    /// <summary>The mids of the offer's a=group:BUNDLE containing the audio, empty if none.</summary>
    public IReadOnlyList<string> BundleMids { get; private init; } = [];

    public required string IceUsernameFragment { get; init; }

    public required string IcePassword { get; init; }

    public required DtlsFingerprint Fingerprint { get; init; }

    /// <summary>a=setup of the offer: actpass (browsers) or active.</summary>
    public required string Setup { get; init; }

    public required MediaCodec Codec { get; init; }

    /// <summary>The payload type of the chosen codec in the offer (we send and expect this number).</summary>
    public required byte PayloadType { get; init; }

    /// <summary>The rtpmap as offered ("opus/48000/2").</summary>
    public required SdpRtpMap CodecMap { get; init; }

    public byte? TelephoneEventPayloadType { get; init; }

    public int TelephoneEventClockRate { get; init; }

    /// <summary>The RFC 4733 events offered (fmtp), echoed in the answer.</summary>
    public string? TelephoneEvents { get; init; }

    /// <summary>The a=extmap id of <see cref="AudioLevelExtensionUri"/>, echoed in the answer (the header extension passes through as is).</summary>
    public int? AudioLevelExtensionId { get; init; }

    /// <summary>Whether the browser offered Opus in-band FEC (useinbandfec=1).</summary>
    public bool OpusInBandFec { get; init; }

    /// <summary>The direction the offer gives the audio (sendrecv from browsers).</summary>
    public SdpDirection Direction { get; init; }

    /// <summary>Parses and checks an offer.</summary>
    /// <exception cref="WebRtcOfferException">The offer cannot be answered; <see cref="WebRtcOfferException.Error"/> says why.</exception>
    public static WebRtcOffer Parse(string sdp)
    {
        if (string.IsNullOrWhiteSpace(sdp))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NotSdp, "the offer is empty");
        }

        if (!SdpSessionDescription.TryParse(sdp, out SdpSessionDescription? description, out string? error))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NotSdp, $"the offer is not SDP: {error}");
        }

        int audioIndex = description!.Media.FindIndex(m => m.Media == "audio" && m.Port != 0);
        if (audioIndex < 0)
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoAudio, "the offer has no active audio m= line");
        }

        SdpMediaDescription audio = description.Media[audioIndex];
        if (!audio.Protocol.Contains("TLS/RTP/SAVP", StringComparison.OrdinalIgnoreCase))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NotDtlsSrtp, $"the audio is {audio.Protocol}, not UDP/TLS/RTP/SAVPF (DTLS-SRTP)");
        }

        string? ufrag = audio.GetAttribute("ice-ufrag") ?? SessionAttribute(description, "ice-ufrag");
        string? pwd = audio.GetAttribute("ice-pwd") ?? SessionAttribute(description, "ice-pwd");
        if (ufrag is null || pwd is null)
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoIceCredentials, "the offer has no a=ice-ufrag and a=ice-pwd");
        }

        if (!IceCredentials.IsValid(ufrag, password: false) || !IceCredentials.IsValid(pwd, password: true))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoIceCredentials, "the offer's a=ice-ufrag or a=ice-pwd is not 4+ / 22+ ice-chars (RFC 8839 5.4)");
        }

        string? fingerprintText = audio.GetAttribute("fingerprint") ?? SessionAttribute(description, "fingerprint");
        if (fingerprintText is null)
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoFingerprint, "the offer has no a=fingerprint (DTLS-SRTP needs the browser's certificate fingerprint)");
        }

        if (!DtlsFingerprint.TryParse(fingerprintText, out DtlsFingerprint? fingerprint))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoFingerprint, $"the offer's a=fingerprint \"{fingerprintText}\" is not sha-1/256/384/512 with a hex digest");
        }

        string setup = (audio.GetAttribute("setup") ?? SessionAttribute(description, "setup") ?? "actpass").Trim().ToLowerInvariant();
        if (setup is not ("actpass" or "active"))
        {
            throw new WebRtcOfferException(WebRtcOfferError.UnsupportedSetup, $"the offer says a=setup:{setup}; this node is always the DTLS server, so the offer must say actpass or active");
        }

        if (!audio.HasAttribute("rtcp-mux"))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoRtcpMux, "the offer's audio has no a=rtcp-mux; this node multiplexes RTP and RTCP on one port (RFC 5761)");
        }

        List<SdpRtpMap> formats = OfferedFormats(audio);
        if (!TryChooseCodec(formats, out MediaCodec codec, out SdpRtpMap codecMap))
        {
            throw new WebRtcOfferException(WebRtcOfferError.NoSupportedCodec, "the offer's audio has none of opus/48000/2, PCMU/8000, PCMA/8000");
        }

        SdpRtpMap? telephoneEvent = ChooseTelephoneEvent(formats, codecMap.ClockRate);
        string? mid = audio.GetAttribute("mid");
        return new WebRtcOffer(description)
        {
            AudioMediaIndex = audioIndex,
            AudioMid = mid,
            BundleMids = BundleGroupOf(description, mid),
            IceUsernameFragment = ufrag,
            IcePassword = pwd,
            Fingerprint = fingerprint!,
            Setup = setup,
            Codec = codec,
            PayloadType = (byte)codecMap.PayloadType,
            CodecMap = codecMap,
            TelephoneEventPayloadType = telephoneEvent is { } te ? (byte)te.PayloadType : null,
            TelephoneEventClockRate = telephoneEvent?.ClockRate ?? 0,
            TelephoneEvents = telephoneEvent is { } t ? audio.GetFormatParameters(t.PayloadType) : null,
            AudioLevelExtensionId = AudioLevelId(audio),
            OpusInBandFec = codec == MediaCodec.Opus && (audio.GetFormatParameters(codecMap.PayloadType) ?? "").Contains("useinbandfec=1", StringComparison.OrdinalIgnoreCase),
            Direction = audio.Direction ?? description.Direction ?? SdpDirection.SendRecv,
        };
    }

    private static string? SessionAttribute(SdpSessionDescription description, string name) => description.Attributes.Find(a => a.Name == name)?.Value;

    /// <summary>Payload types with rtpmaps, in offer order (static 0 and 8 may come without one, RFC 3551 §6).</summary>
    private static List<SdpRtpMap> OfferedFormats(SdpMediaDescription audio)
    {
        var maps = new Dictionary<int, SdpRtpMap>();
        foreach (SdpRtpMap map in audio.RtpMaps)
        {
            maps.TryAdd(map.PayloadType, map);
        }

        var formats = new List<SdpRtpMap>();
        foreach (string format in audio.Formats)
        {
            if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) || pt > 127)
            {
                continue;
            }

            if (maps.TryGetValue(pt, out SdpRtpMap map))
            {
                formats.Add(map);
            }
            else if (pt is 0 or 8)
            {
                formats.Add(new SdpRtpMap(pt, pt == 0 ? "PCMU" : "PCMA", 8000, 1));
            }
        }

        return formats;
    }

    /// <summary>Our preference: Opus (wideband, FEC), then PCMU, then PCMA.</summary>
    private static bool TryChooseCodec(List<SdpRtpMap> formats, out MediaCodec codec, out SdpRtpMap map)
    {
        foreach ((MediaCodec candidate, string name, int rate, int channels) in new[]
        {
            (MediaCodec.Opus, "opus", 48000, 2),
            (MediaCodec.Pcmu, "PCMU", 8000, 1),
            (MediaCodec.Pcma, "PCMA", 8000, 1),
        })
        {
            foreach (SdpRtpMap offered in formats)
            {
                if (string.Equals(offered.EncodingName, name, StringComparison.OrdinalIgnoreCase) && offered.ClockRate == rate && offered.Channels == channels)
                {
                    (codec, map) = (candidate, offered);
                    return true;
                }
            }
        }

        (codec, map) = (default, default);
        return false;
    }

    /// <summary>telephone-event at the voice codec's clock (RFC 4733 §2.1), else at 8000 Hz.</summary>
    private static SdpRtpMap? ChooseTelephoneEvent(List<SdpRtpMap> formats, int voiceClockRate)
    {
        SdpRtpMap? fallback = null;
        foreach (SdpRtpMap map in formats)
        {
            if (!string.Equals(map.EncodingName, "telephone-event", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (map.ClockRate == voiceClockRate)
            {
                return map;
            }

            if (map.ClockRate == 8000)
            {
                fallback ??= map;
            }
        }

        return fallback;
    }

    private static int? AudioLevelId(SdpMediaDescription audio)
    {
        foreach (SdpAttribute attribute in audio.Attributes)
        {
            // a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §8)
            if (attribute.Name != "extmap" || attribute.Value is not { } value)
            {
                continue;
            }

            string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string idText = parts[0].Split('/')[0];
            if (parts.Length >= 2 && parts[1] == AudioLevelExtensionUri && int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id is >= 1 and <= 14)
            {
                return id;
            }
        }

        return null;
    }

    private static IReadOnlyList<string> BundleGroupOf(SdpSessionDescription description, string? mid)
    {
        if (mid is null)
        {
            return [];
        }

        foreach (SdpAttribute attribute in description.Attributes)
        {
            if (attribute.Name == "group" && attribute.Value is { } value)
            {
                string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length > 1 && parts[0] == "BUNDLE" && Array.IndexOf(parts, mid, 1) > 0)
                {
                    return parts[1..];
                }
            }
        }

        return [];
    }
}
