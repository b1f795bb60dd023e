using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Sdp;
using ConferenceCluster.Sip.Sdp;
using AudioCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Media.Tests.WebRtc.Sdp;

/// <summary>Answers to real browser offers (Fixtures/) and the reasons bad offers are refused.</summary>
public class WebRtcOfferAnswerTests
{
    private static readonly DtlsCertificate Certificate = DtlsCertificate.Generate();
    private static readonly IceCredentials Ours = new("Srv1", "ServerPassword0123456789");

    internal static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "WebRtc", "Fixtures", name));

    private static (WebRtcOffer Offer, SdpSessionDescription Answer, string Text) Answer(string offerText)
    {
        WebRtcOffer offer = WebRtcOffer.Parse(offerText);
        string text = WebRtcAnswer.Create(offer, new WebRtcAnswerParameters
        {
            Candidate = new IPEndPoint(IPAddress.Parse("198.51.100.10"), 40002),
            IceCredentials = Ours,
            Fingerprint = Certificate.Fingerprint,
            Ssrc = 12345,
            Cname = "node@test",
        });
        Assert.True(SdpSessionDescription.TryParse(text, out SdpSessionDescription? answer, out string? error), error);
        return (offer, answer!, text);
    }

    [Fact]
    public void Chromium_offer_is_answered_ice_lite_passive_opus_with_fec_audio_level_and_one_host_candidate()
    {
        (WebRtcOffer offer, SdpSessionDescription answer, string text) = Answer(Fixture("chromium-156-audio-offer.sdp"));

        Assert.Equal(AudioCodec.Opus, offer.Codec);
        Assert.Equal(111, offer.PayloadType);
        Assert.True(offer.OpusInBandFec);
        Assert.Equal((byte)110, offer.TelephoneEventPayloadType);
        Assert.Equal(48000, offer.TelephoneEventClockRate);
        Assert.Equal(1, offer.AudioLevelExtensionId);
        Assert.Equal("0", offer.AudioMid);
        Assert.Equal("actpass", offer.Setup);

        Assert.Contains(answer.Attributes, a => a.Name == "ice-lite");
        Assert.Contains(answer.Attributes, a => a.Name == "group" && a.Value == "BUNDLE 0");
        SdpMediaDescription audio = Assert.Single(answer.Media);
        Assert.Equal("audio", audio.Media);
        Assert.Equal(40002, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["111", "110"], audio.Formats);
        Assert.Equal("passive", audio.GetAttribute("setup"));
        Assert.Equal("0", audio.GetAttribute("mid"));
        Assert.Equal("Srv1", audio.GetAttribute("ice-ufrag"));
        Assert.Equal("ServerPassword0123456789", audio.GetAttribute("ice-pwd"));
        Assert.Equal(Certificate.Fingerprint.ToString(), audio.GetAttribute("fingerprint"));
        Assert.True(audio.HasAttribute("rtcp-mux"));
        Assert.Equal("sendrecv", audio.Direction?.ToAttributeName());
        Assert.Equal("minptime=10;useinbandfec=1", audio.GetFormatParameters(111));
        Assert.Contains(audio.RtpMaps, m => m.PayloadType == 110 && m.EncodingName == "telephone-event" && m.ClockRate == 48000);
        // Only the audio-level extension is echoed (RFC 8285 §5: the answer lists what it will use).
        Assert.Equal(["1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"], audio.Attributes.Where(a => a.Name == "extmap").Select(a => a.Value));
        Assert.Equal(["1 1 udp 2130706431 198.51.100.10 40002 typ host"], audio.Attributes.Where(a => a.Name == "candidate").Select(a => a.Value));
        Assert.Contains("a=ssrc:12345 cname:node@test\r\n", text);
        Assert.DoesNotContain("red/48000", text);
    }

    // RFC 8843 §7.3.3 and RFC 3264 §6: unwanted m= lines are rejected with port 0 and leave the BUNDLE group.
    [Fact]
    public void Chromium_bundle_offer_with_video_and_data_gets_them_rejected_with_port_0_and_mid_kept()
    {
        (_, SdpSessionDescription answer, _) = Answer(Fixture("chromium-156-audio-video-data-offer.sdp"));

        Assert.Equal(3, answer.Media.Count);
        Assert.Contains(answer.Attributes, a => a.Name == "group" && a.Value == "BUNDLE 0");
        Assert.Equal(("audio", true), (answer.Media[0].Media, answer.Media[0].Port > 0));
        Assert.Equal(("video", 0, "1"), (answer.Media[1].Media, answer.Media[1].Port, answer.Media[1].GetAttribute("mid")));
        Assert.Equal(("application", 0, "2"), (answer.Media[2].Media, answer.Media[2].Port, answer.Media[2].GetAttribute("mid")));
        Assert.Equal("UDP/DTLS/SCTP", answer.Media[2].Protocol);
        Assert.Equal(["webrtc-datachannel"], answer.Media[2].Formats);
    }

    [Fact]
    public void Firefox_offer_with_session_level_fingerprint_opus_109_and_8k_telephone_event_is_answered()
    {
        (WebRtcOffer offer, SdpSessionDescription answer, _) = Answer(Fixture("firefox-audio-video-offer.sdp"));

        Assert.Equal(AudioCodec.Opus, offer.Codec);
        Assert.Equal(109, offer.PayloadType);
        Assert.True(offer.OpusInBandFec);
        Assert.Equal("sha-256", offer.Fingerprint.Algorithm); // from the session level
        Assert.Equal((byte)101, offer.TelephoneEventPayloadType);
        Assert.Equal(8000, offer.TelephoneEventClockRate); // the only one offered
        Assert.Equal("0-15", offer.TelephoneEvents);
        Assert.Equal("a81d3f6c", offer.IceUsernameFragment);

        SdpMediaDescription audio = answer.Media[0];
        Assert.Equal(["109", "101"], audio.Formats);
        Assert.Equal("minptime=10;useinbandfec=1", audio.GetFormatParameters(109));
        Assert.Equal("0-15", audio.GetFormatParameters(101));
        Assert.Equal("passive", audio.GetAttribute("setup"));
        Assert.Equal(0, answer.Media[1].Port);
        Assert.Contains(answer.Attributes, a => a.Name == "group" && a.Value == "BUNDLE 0");
    }

    public static TheoryData<string, string, WebRtcOfferError, string> BadOffers => new()
    {
        { "not SDP", "hello", WebRtcOfferError.NotSdp, "not SDP" },
        { "empty", "", WebRtcOfferError.NotSdp, "empty" },
        { "no audio", "m=audio 9 UDP/TLS/RTP/SAVPF|m=video 9 UDP/TLS/RTP/SAVPF", WebRtcOfferError.NoAudio, "no active audio" },
        { "audio rejected", "m=audio 9 |m=audio 0 ", WebRtcOfferError.NoAudio, "no active audio" },
        { "plain RTP", "UDP/TLS/RTP/SAVPF|RTP/AVP", WebRtcOfferError.NotDtlsSrtp, "not UDP/TLS/RTP/SAVPF" },
        { "no fingerprint", "a=fingerprint:|a=x-removed:", WebRtcOfferError.NoFingerprint, "no a=fingerprint" },
        { "unknown hash", "a=fingerprint:sha-256|a=fingerprint:md5", WebRtcOfferError.NoFingerprint, "sha-1/256/384/512" },
        { "no ice-pwd", "a=ice-pwd:|a=x-removed:", WebRtcOfferError.NoIceCredentials, "ice-pwd" },
        { "short ice-pwd", "a=ice-pwd:|a=ice-pwd:short\r\na=x-old:", WebRtcOfferError.NoIceCredentials, "ice-chars" },
        { "no rtcp-mux", "a=rtcp-mux\r\n|", WebRtcOfferError.NoRtcpMux, "rtcp-mux" },
        { "setup passive", "a=setup:actpass|a=setup:passive", WebRtcOfferError.UnsupportedSetup, "DTLS server" },
        { "only G722", "111 63 9 0 8 13 110 126|9 13", WebRtcOfferError.NoSupportedCodec, "opus/48000/2, PCMU/8000, PCMA/8000" },
    };

    /// <summary>Each bad offer is the Chromium fixture with one edit ("find|replace", all occurrences); the message names the reason.</summary>
    [Theory]
    [MemberData(nameof(BadOffers))]
    public void A_bad_offer_is_refused_with_its_reason(string _, string edit, WebRtcOfferError expected, string messagePart)
    {
        string offer = edit.Contains('|')
            ? Fixture("chromium-156-audio-offer.sdp").Replace(edit.Split('|')[0], edit.Split('|')[1], StringComparison.Ordinal)
            : edit;

        WebRtcOfferException exception = Assert.Throws<WebRtcOfferException>(() => WebRtcOffer.Parse(offer));
        Assert.Equal(expected, exception.Error);
        Assert.Contains(messagePart, exception.Message);
    }

    [Fact]
    public void Offer_with_only_pcmu_is_answered_with_pcmu_and_8k_telephone_event()
    {
        string offer = Fixture("chromium-156-audio-offer.sdp").Replace("111 63 9 0 8 13 110 126", "0 126", StringComparison.Ordinal);
        (WebRtcOffer parsed, SdpSessionDescription answer, _) = Answer(offer);
        Assert.Equal(AudioCodec.Pcmu, parsed.Codec);
        Assert.Equal(["0", "126"], answer.Media[0].Formats);
        Assert.Null(answer.Media[0].GetFormatParameters(0));
    }
}
