using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Sip.Tests;

public class SdpTests
{
    private static readonly SdpAudioOptions Options = new()
    {
        LocalAddress = "198.51.100.7",
        LocalRtpPort = 40000,
        SessionId = 42,
        SessionVersion = 1,
    };

    private static SdpSessionDescription ParseSdp(string text)
    {
        Assert.True(SdpSessionDescription.TryParse(text.Replace("\n", "\r\n"), out var sdp, out var error), error);
        return sdp!;
    }

    private static string Offer(string media, string sessionExtra = "") =>
        "v=0\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\ns=-\n" + sessionExtra +
        "c=IN IP4 192.0.2.10\nt=0 0\n" + media;

    private static SdpAnswerResult Answer(string offer, SdpAudioOptions? options = null) =>
        SdpOfferAnswer.CreateAudioAnswer(ParseSdp(offer), options ?? Options);

    [Fact]
    public void Rfc4566_5_parse_and_serialize_every_line_type()
    {
        var text = "v=0\r\no=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\ns=SDP Seminar\r\ni=A Seminar\r\n" +
                   "u=http://www.example.com/seminars/sdp.pdf\r\ne=j.doe@example.com (Jane Doe)\r\np=+1 617 555-6011\r\n" +
                   "c=IN IP4 224.2.17.12/127\r\nb=AS:128\r\nt=2873397496 2873404696\r\nr=7d 1h 0 25h\r\nz=2882844526 -1h\r\n" +
                   "k=prompt\r\na=recvonly\r\nm=audio 49170 RTP/AVP 0\r\ni=voice\r\nc=IN IP4 224.2.17.13/127\r\nb=AS:64\r\n" +
                   "a=ptime:30\r\nm=video 51372/2 RTP/AVP 99\r\na=rtpmap:99 h263-1998/90000\r\n";
        var sdp = ParseSdp(text);
        Assert.Equal("jdoe", sdp.Origin.Username);
        Assert.Equal(2890842807UL, sdp.Origin.SessionVersion);
        Assert.Equal("224.2.17.12", sdp.Connection!.Host);
        Assert.Equal(SdpDirection.RecvOnly, sdp.Direction);
        Assert.Equal(["7d 1h 0 25h"], sdp.Timings[0].Repeats);
        Assert.Equal(2, sdp.Media.Count);
        Assert.Equal(30, sdp.Media[0].Ptime);
        Assert.Equal(2, sdp.Media[1].PortCount);
        Assert.Equal(new SdpRtpMap(99, "h263-1998", 90000, 1), Assert.Single(sdp.Media[1].RtpMaps));
        Assert.Equal(text, sdp.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n")]
    [InlineData("v=1\r\n")]
    [InlineData("v=0\r\no=- 1 IN IP4 1.2.3.4\r\n")]
    [InlineData("v=0\r\nc=IN IP4\r\n")]
    [InlineData("v=0\r\nm=audio RTP/AVP 0\r\n")]
    [InlineData("v=0\r\nm=audio 70000 RTP/AVP 0\r\n")]
    [InlineData("v=0\r\nq=unknown\r\n")]
    [InlineData("v=0\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n")]
    [InlineData("v=0\r\nthis is not sdp\r\n")]
    public void Rfc4566_malformed_descriptions_are_rejected(string text)
    {
        Assert.False(SdpSessionDescription.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Rfc7587_opus_is_preferred_and_keeps_the_offered_payload_type()
    {
        var result = Answer(Offer("m=audio 49170 RTP/AVP 0 8 109 101\na=rtpmap:109 opus/48000/2\na=fmtp:109 stereo=1\n" +
                                  "a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\na=ptime:20\n"));
        Assert.True(result.IsSuccess);
        var audio = result.Audio!;
        Assert.Equal(AudioCodec.Opus, audio.Codec);
        Assert.Equal(109, audio.PayloadType);
        Assert.Equal("stereo=1", audio.RemoteFormatParameters);
        Assert.Equal(101, audio.TelephoneEventPayloadType);
        Assert.Equal("192.0.2.10", audio.RemoteAddress);
        Assert.Equal(49170, audio.RemoteRtpPort);
        Assert.Equal(49171, audio.RemoteRtcpPort);
        Assert.Equal(20, audio.RemotePtime);

        var expected = "v=0\r\no=- 42 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" +
                       "m=audio 40000 RTP/AVP 109 101\r\na=rtpmap:109 opus/48000/2\r\na=fmtp:109 minptime=10;useinbandfec=1\r\n" +
                       "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
        Assert.Equal(expected, result.Answer!.ToString());
    }

    [Fact]
    public void Rfc3551_static_pcmu_without_rtpmap_is_understood()
    {
        var result = Answer(Offer("m=audio 49170 RTP/AVP 0\n"));
        Assert.Equal(AudioCodec.Pcmu, result.Audio!.Codec);
        Assert.Equal(0, result.Audio.PayloadType);
        Assert.Null(result.Audio.TelephoneEventPayloadType);
        var media = Assert.Single(result.Answer!.Media);
        Assert.Equal(["0"], media.Formats);
        Assert.Equal("0 PCMU/8000", media.GetAttribute("rtpmap"));
        Assert.False(media.Attributes.Exists(a => a.Name == "fmtp"));
    }

    [Fact]
    public void Rfc3551_static_pcma_without_rtpmap_is_understood()
    {
        var result = Answer(Offer("m=audio 49170 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000\n"));
        Assert.Equal(AudioCodec.Pcma, result.Audio!.Codec);
        Assert.Equal(8, result.Audio.PayloadType);
        Assert.Equal(101, result.Audio.TelephoneEventPayloadType);
        // RFC 4733 7.1.1: no fmtp offered means events 0-15
        Assert.Contains(result.Answer!.Media[0].Attributes, a => a is { Name: "fmtp", Value: "101 0-15" });
    }

    [Fact]
    public void Rfc3264_6_1_our_preference_or_the_offerers_order()
    {
        const string media = "m=audio 49170 RTP/AVP 8 0\n";
        Assert.Equal(AudioCodec.Pcmu, Answer(Offer(media)).Audio!.Codec);
        var offererFirst = new SdpAudioOptions { LocalAddress = "198.51.100.7", LocalRtpPort = 40000, PreferOffererOrder = true };
        Assert.Equal(AudioCodec.Pcma, Answer(Offer(media), offererFirst).Audio!.Codec);
    }

    [Fact]
    public void Rfc4733_telephone_event_at_the_voice_clock_rate_is_preferred()
    {
        var result = Answer(Offer("m=audio 49170 RTP/AVP 96 100 101\na=rtpmap:96 opus/48000/2\n" +
                                  "a=rtpmap:100 telephone-event/8000\na=rtpmap:101 telephone-event/48000\n"));
        Assert.Equal(101, result.Audio!.TelephoneEventPayloadType);
        Assert.Equal(48000, result.Audio.TelephoneEventClockRate);
        Assert.Contains(result.Answer!.Media[0].Attributes, a => a is { Name: "rtpmap", Value: "101 telephone-event/48000" });
    }

    [Fact]
    public void Rfc4733_telephone_event_can_be_refused()
    {
        var options = new SdpAudioOptions { LocalAddress = "198.51.100.7", LocalRtpPort = 40000, AcceptTelephoneEvent = false };
        var result = Answer(Offer("m=audio 49170 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\n"), options);
        Assert.Null(result.Audio!.TelephoneEventPayloadType);
        Assert.Equal(["0"], result.Answer!.Media[0].Formats);
    }

    [Theory]
    [InlineData("m=audio 49170 RTP/AVP 9 18\na=rtpmap:9 G722/8000\na=rtpmap:18 G729/8000\n")]
    [InlineData("m=audio 49170 RTP/AVP 96\na=rtpmap:96 opus/48000/1\n")] // RFC 7587 7: opus is always /2
    [InlineData("m=audio 49170 RTP/AVP 96\n")] // dynamic type without rtpmap cannot be identified
    [InlineData("m=audio 49170 RTP/AVP 101\na=rtpmap:101 telephone-event/8000\n")] // DTMF alone is no voice codec
    public void Rfc3264_no_common_codec_is_refused_with_488(string media)
    {
        var result = Answer(Offer(media));
        Assert.False(result.IsSuccess);
        Assert.Equal(SdpNegotiationFailure.NoCommonCodec, result.Failure);
        Assert.Equal(488, result.SipStatusCode);
        Assert.Null(result.Answer);
        Assert.Contains("opus/48000/2", result.FailureDetail);
    }

    [Theory]
    [InlineData("m=video 51372 RTP/AVP 31\n")]
    [InlineData("m=audio 0 RTP/AVP 0\n")]
    [InlineData("m=audio 49170 RTP/SAVP 0\n")]
    [InlineData("")]
    public void Rfc3264_no_usable_audio_stream_is_refused_with_488(string media)
    {
        var result = Answer(Offer(media));
        Assert.Equal(SdpNegotiationFailure.NoAudioStream, result.Failure);
        Assert.Equal(488, result.SipStatusCode);
    }

    [Fact]
    public void Rfc3264_6_other_streams_are_rejected_with_port_zero_in_order()
    {
        var result = Answer(Offer("m=video 51372 RTP/AVP 31 32\na=rtpmap:31 H261/90000\n" +
                                  "m=audio 49170 RTP/AVP 0\n" +
                                  "m=audio 49180 RTP/AVP 8\n" +
                                  "m=application 9 UDP/BFCP *\n"));
        Assert.True(result.IsSuccess);
        var media = result.Answer!.Media;
        Assert.Equal(4, media.Count);
        Assert.Equal(("video", 0, "RTP/AVP"), (media[0].Media, media[0].Port, media[0].Protocol));
        Assert.Equal(["31", "32"], media[0].Formats);
        Assert.Equal(("audio", 40000), (media[1].Media, media[1].Port));
        Assert.Equal(("audio", 0), (media[2].Media, media[2].Port));
        Assert.Equal(("application", 0, "*"), (media[3].Media, media[3].Port, media[3].Formats[0]));
        Assert.Equal(1, result.Audio!.MediaIndex);
    }

    [Fact]
    public void Rfc4566_5_7_media_level_connection_overrides_session_level()
    {
        var offer = "v=0\no=- 1 1 IN IP4 192.0.2.10\ns=-\nt=0 0\nm=audio 49170 RTP/AVP 0\nc=IN IP4 203.0.113.5\n";
        Assert.Equal("203.0.113.5", Answer(offer).Audio!.RemoteAddress);
        var both = Offer("m=audio 49170 RTP/AVP 0\nc=IN IP4 203.0.113.6\n");
        Assert.Equal("203.0.113.6", Answer(both).Audio!.RemoteAddress);
    }

    [Fact]
    public void Rfc4566_5_7_audio_without_any_connection_is_refused()
    {
        var result = Answer("v=0\no=- 1 1 IN IP4 192.0.2.10\ns=-\nt=0 0\nm=audio 49170 RTP/AVP 0\n");
        Assert.Equal(SdpNegotiationFailure.MissingConnection, result.Failure);
        Assert.Equal(488, result.SipStatusCode);
    }

    [Theory]
    [InlineData("a=sendrecv\n", "", SdpDirection.SendRecv)]
    [InlineData("a=sendonly\n", "", SdpDirection.RecvOnly)]
    [InlineData("a=recvonly\n", "", SdpDirection.SendOnly)]
    [InlineData("a=inactive\n", "", SdpDirection.Inactive)]
    [InlineData("", "a=sendonly\n", SdpDirection.RecvOnly)] // session-level attribute applies
    [InlineData("a=sendrecv\n", "a=inactive\n", SdpDirection.SendRecv)] // media level wins
    public void Rfc3264_6_1_direction_is_mirrored(string mediaAttribute, string sessionAttribute, SdpDirection expected)
    {
        var offer = "v=0\no=- 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\n" + sessionAttribute +
                    "m=audio 49170 RTP/AVP 0\n" + mediaAttribute;
        var result = Answer(offer);
        Assert.Equal(expected, result.Audio!.Direction);
        Assert.True(result.Answer!.Media[0].HasAttribute(expected.ToAttributeName()));
    }

    [Fact]
    public void Rfc3264_8_4_old_style_hold_address_means_the_offerer_will_not_receive()
    {
        var offer = "v=0\no=- 1 2 IN IP4 192.0.2.10\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 49170 RTP/AVP 0\n";
        Assert.Equal(SdpDirection.RecvOnly, Answer(offer).Audio!.Direction);
    }

    [Fact]
    public void Rfc3264_6_1_our_direction_narrows_the_answer()
    {
        var listenOnly = new SdpAudioOptions { LocalAddress = "198.51.100.7", LocalRtpPort = 40000, LocalDirection = SdpDirection.RecvOnly };
        Assert.Equal(SdpDirection.RecvOnly, Answer(Offer("m=audio 49170 RTP/AVP 0\n"), listenOnly).Audio!.Direction);
        Assert.Equal(SdpDirection.Inactive, Answer(Offer("m=audio 49170 RTP/AVP 0\na=recvonly\n"), listenOnly).Audio!.Direction);
    }

    [Fact]
    public void Rfc3605_rtcp_attribute_gives_the_rtcp_port()
    {
        var result = Answer(Offer("m=audio 49170 RTP/AVP 0\na=rtcp:53020 IN IP4 126.16.64.4\n"));
        Assert.Equal(53020, result.Audio!.RemoteRtcpPort);
    }

    [Fact]
    public void Ipv6_local_address_gives_ip6_lines_and_the_answer_parses_back()
    {
        var options = new SdpAudioOptions { LocalAddress = "2001:db8::7", LocalRtpPort = 40002, PtimeMs = 40 };
        var answer = Answer(Offer("m=audio 49170 RTP/AVP 0\n"), options).Answer!;
        Assert.Equal("IN IP6 2001:db8::7", answer.Connection!.ToString());
        var reparsed = ParseSdp(answer.ToString());
        Assert.Equal(40, reparsed.Media[0].Ptime);
        Assert.Equal(answer.ToString(), reparsed.ToString());
    }

    [Fact]
    public void Rfc4566_6_rtpmap_with_and_without_channels()
    {
        Assert.True(SdpRtpMap.TryParse("111 opus/48000/2", out var opus));
        Assert.Equal(new SdpRtpMap(111, "opus", 48000, 2), opus);
        Assert.True(SdpRtpMap.TryParse("0 PCMU/8000", out var pcmu));
        Assert.Equal(1, pcmu.Channels);
        Assert.False(SdpRtpMap.TryParse("x PCMU/8000", out _));
        Assert.False(SdpRtpMap.TryParse("0 PCMU", out _));
        Assert.False(SdpRtpMap.TryParse("0 PCMU/0", out _));
        Assert.False(SdpRtpMap.TryParse("200 PCMU/8000", out _));
    }
}

public class SdpOfferTests
{
    private static readonly SdpAudioOptions Options = new() { LocalAddress = "198.51.100.7", LocalRtpPort = 40000, SessionId = 7 };

    [Fact]
    public void Rfc3264_5_offer_lists_our_codecs_in_preference_order()
    {
        var offer = SdpOfferAnswer.CreateAudioOffer(Options);
        var expected = "v=0\r\no=- 7 0 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" +
                       "m=audio 40000 RTP/AVP 111 0 8 101\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
                       "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n" +
                       "a=ptime:20\r\na=sendrecv\r\n";
        Assert.Equal(expected, offer.ToString());
    }

    [Fact]
    public void Rfc3264_offer_answered_by_ourselves_agrees_on_opus()
    {
        var offer = SdpOfferAnswer.CreateAudioOffer(Options);
        var remote = new SdpAudioOptions { LocalAddress = "203.0.113.20", LocalRtpPort = 50000 };
        var answered = SdpOfferAnswer.CreateAudioAnswer(offer, remote);
        var result = SdpOfferAnswer.ProcessAnswer(offer, answered.Answer!, Options);
        Assert.True(result.IsSuccess, result.FailureDetail);
        Assert.Equal(AudioCodec.Opus, result.Audio!.Codec);
        Assert.Equal(111, result.Audio.PayloadType);
        Assert.Equal(101, result.Audio.TelephoneEventPayloadType);
        Assert.Equal(("203.0.113.20", 50000), (result.Audio.RemoteAddress, result.Audio.RemoteRtpPort));
    }

    [Fact]
    public void Rfc3264_answerers_order_decides_and_rtpmap_may_come_from_the_offer()
    {
        var offer = SdpOfferAnswer.CreateAudioOffer(Options);
        Assert.True(SdpSessionDescription.TryParse(
            "v=0\r\no=- 1 1 IN IP4 203.0.113.20\r\ns=-\r\nc=IN IP4 203.0.113.20\r\nt=0 0\r\nm=audio 50000 RTP/AVP 8 0\r\na=sendonly\r\n",
            out var answer, out _));
        var result = SdpOfferAnswer.ProcessAnswer(offer, answer!, Options);
        Assert.Equal(AudioCodec.Pcma, result.Audio!.Codec);
        Assert.Equal(SdpDirection.RecvOnly, result.Audio.Direction);
        Assert.Null(result.Audio.TelephoneEventPayloadType);
    }

    [Theory]
    [InlineData("m=audio 0 RTP/AVP 0\r\n", SdpNegotiationFailure.NoAudioStream)]
    [InlineData("m=audio 50000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n", SdpNegotiationFailure.NoCommonCodec)]
    [InlineData("m=audio 50000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n", SdpNegotiationFailure.AnswerMismatch)]
    public void Rfc3264_6_unusable_answers_are_reported(string media, SdpNegotiationFailure failure)
    {
        var offer = SdpOfferAnswer.CreateAudioOffer(Options);
        Assert.True(SdpSessionDescription.TryParse(
            "v=0\r\no=- 1 1 IN IP4 203.0.113.20\r\ns=-\r\nc=IN IP4 203.0.113.20\r\nt=0 0\r\n" + media, out var answer, out _));
        Assert.Equal(failure, SdpOfferAnswer.ProcessAnswer(offer, answer!, Options).Failure);
    }
}
