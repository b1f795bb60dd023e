using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Sip.Tests;

/// <summary>
/// Main video in SDP offer/answer (VP8, RFC 7741; rtcp-fb RFC 4585/5104; imageattr RFC 6236; b=AS/TIAS): accepted
/// beside the audio, which is answered exactly as for an audio-only call.
/// </summary>
public sealed class SdpVideoTests
{
    private static readonly SdpAudioOptions Audio = new() { LocalAddress = "198.51.100.7", LocalRtpPort = 40000, SessionId = 42, SessionVersion = 1 };
    private static readonly SdpVideoOptions Video = new() { LocalRtpPort = 40002, MaxReceiveKbps = 1500, MaxReceiveMacroblocks = 3600, MaxReceiveWidth = 1280, MaxReceiveHeight = 720 };

    /// <summary>The INVITE body baresip 1.0.0 with fakevideo and vp8 sends (captured from `baresip -s`).</summary>
    private const string BaresipOffer = """
        v=0
        o=- 1520906014 2960165958 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        a=tool:baresip 1.0.0
        m=audio 26108 RTP/AVP 0 8 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=sendrecv
        a=label:1
        a=rtcp-rsize
        a=ssrc:3710790479 cname:sip:view@127.0.0.1:25062
        a=minptime:20
        a=ptime:20
        m=video 26226 RTP/AVP 96
        a=rtpmap:96 VP8/90000
        a=fmtp:96 max-fs=3600
        a=sendrecv
        a=label:2
        a=rtcp-rsize
        a=ssrc:836472253 cname:sip:view@127.0.0.1:25062
        a=framerate:25.00
        a=rtcp-fb:* nack pli
        a=content:main

        """;

    private static SdpSessionDescription Parse(string text)
    {
        Assert.True(SdpSessionDescription.TryParse(text.Replace("\r\n", "\n").Replace("\n", "\r\n"), out var sdp, out var error), error);
        return sdp!;
    }

    [Fact]
    public void An_audio_only_offer_is_answered_exactly_as_before()
    {
        const string offer = "v=0\no=alice 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 49170 RTP/AVP 111 0 101\na=rtpmap:111 opus/48000/2\na=rtpmap:101 telephone-event/48000\n";
        string before = SdpOfferAnswer.CreateAudioAnswer(Parse(offer), Audio).Answer!.ToString();
        SdpMediaAnswer answer = SdpVideoOfferAnswer.CreateAnswer(Parse(offer), Audio, Video);
        Assert.Equal(before, answer.Answer!.ToString());
        Assert.Null(answer.Video);
    }

    [Fact]
    public void Without_video_options_an_offered_video_line_is_rejected_as_before_R_CAP_3()
    {
        string before = SdpOfferAnswer.CreateAudioAnswer(Parse(BaresipOffer), Audio).Answer!.ToString();
        SdpMediaAnswer answer = SdpVideoOfferAnswer.CreateAnswer(Parse(BaresipOffer), Audio, video: null);
        Assert.Equal(before, answer.Answer!.ToString());
        Assert.Contains("m=video 0 RTP/AVP 96", before);
    }

    [Fact]
    public void Baresips_offer_gets_vp8_with_the_feedback_it_offered_and_what_it_can_receive()
    {
        SdpMediaAnswer answer = SdpVideoOfferAnswer.CreateAnswer(Parse(BaresipOffer), Audio, Video);
        NegotiatedVideo video = Assert.IsType<NegotiatedVideo>(answer.Video);
        Assert.Equal((1, 96, "127.0.0.1", 26226, 26227), (video.MediaIndex, video.PayloadType, video.RemoteAddress, video.RemoteRtpPort, video.RemoteRtcpPort));
        Assert.Equal(SdpDirection.SendRecv, video.Direction);
        Assert.Equal(SdpVideoFeedback.PictureLossIndication, video.Feedback); // "* nack pli" only: no generic NACK, FIR or REMB
        Assert.Equal(3600, video.MaxMacroblocks);
        Assert.Null(video.MaxBitrateKbps);

        string text = answer.Answer!.ToString();
        Assert.Contains("m=audio 40000 RTP/AVP 0 101\r\n", text); // the audio exactly as an audio answer has it
        Assert.Contains("m=video 40002 RTP/AVP 96\r\nb=AS:1500\r\nb=TIAS:1500000\r\na=rtpmap:96 VP8/90000\r\na=fmtp:96 max-fs=3600;max-fr=30\r\na=rtcp-fb:96 nack pli\r\n", text);
        Assert.DoesNotContain("goog-remb", text);
        Assert.True(SdpSessionDescription.TryParse(text, out _, out _));
    }

    [Fact]
    public void A_browser_like_avpf_offer_picks_vp8_among_codecs_and_reads_tias_imageattr_and_every_feedback()
    {
        const string offer = """
            v=0
            o=- 4611731400430051336 2 IN IP4 127.0.0.1
            s=-
            t=0 0
            m=audio 9 RTP/AVP 0
            c=IN IP4 192.0.2.20
            m=video 9000 RTP/AVPF 102 100 101
            c=IN IP4 192.0.2.20
            b=AS:2000
            b=TIAS:1800000
            a=rtcp:9011
            a=rtpmap:102 H264/90000
            a=rtpmap:100 VP8/90000
            a=rtpmap:101 rtx/90000
            a=fmtp:100 max-fs=8160; max-fr=60
            a=rtcp-fb:100 nack
            a=rtcp-fb:100 nack pli
            a=rtcp-fb:100 ccm fir
            a=rtcp-fb:100 goog-remb
            a=rtcp-fb:102 nack
            a=imageattr:100 send [x=[320:16:1920],y=[180:16:1080]] recv [x=[320:16:1280],y=[180:16:720]] [x=640,y=480]
            a=sendonly

            """;
        SdpMediaAnswer answer = SdpVideoOfferAnswer.CreateAnswer(Parse(offer), Audio, Video);
        NegotiatedVideo video = answer.Video!;
        Assert.Equal((100, 9011, "192.0.2.20"), (video.PayloadType, video.RemoteRtcpPort, video.RemoteAddress));
        Assert.Equal(SdpVideoFeedback.All, video.Feedback);
        Assert.Equal(SdpDirection.RecvOnly, video.Direction); // it only sends: we only receive
        Assert.Equal((1280, 720), (video.MaxWidth, video.MaxHeight)); // the largest recv set
        Assert.Equal((8160, 60, 1800), (video.MaxMacroblocks, video.MaxFrameRate, video.MaxBitrateKbps)); // TIAS before AS
        Assert.Contains("m=video 40002 RTP/AVPF 100\r\n", answer.Answer!.ToString());
        Assert.Contains("a=imageattr:100 recv [x=1280,y=720]\r\n", answer.Answer!.ToString());
        Assert.Contains("a=recvonly\r\n", answer.Answer!.ToString());
    }

    [Fact]
    public void Video_without_vp8_is_rejected_and_the_audio_still_accepted()
    {
        string offer = BaresipOffer.Replace("VP8/90000", "H264/90000");
        SdpMediaAnswer answer = SdpVideoOfferAnswer.CreateAnswer(Parse(offer), Audio, Video);
        Assert.True(answer.IsSuccess);
        Assert.Null(answer.Video);
        Assert.Contains("m=video 0 RTP/AVP 96", answer.Answer!.ToString());
    }

    [Fact]
    public void Our_offer_with_video_and_the_answer_to_it()
    {
        SdpSessionDescription offer = SdpOfferAnswer.CreateAudioOffer(Audio);
        SdpVideoOfferAnswer.AddVideo(offer, Video);
        string text = offer.ToString();
        Assert.Contains("m=video 40002 RTP/AVP 96\r\n", text);
        foreach (string feedback in new[] { "nack", "nack pli", "ccm fir", "goog-remb" })
        {
            Assert.Contains($"a=rtcp-fb:96 {feedback}\r\n", text);
        }

        // The far end answers with its own port, VP8, and only some feedback.
        SdpSessionDescription answer = Parse(text.Replace("40002 RTP/AVP 96", "50000 RTP/AVP 96").Replace("a=rtcp-fb:96 ccm fir\r\n", "").Replace("198.51.100.7", "203.0.113.9"));
        NegotiatedVideo video = SdpVideoOfferAnswer.ReadAnswer(offer, answer, Video)!;
        Assert.Equal((96, "203.0.113.9", 50000), (video.PayloadType, video.RemoteAddress, video.RemoteRtpPort));
        Assert.Equal(SdpVideoFeedback.Nack | SdpVideoFeedback.PictureLossIndication | SdpVideoFeedback.Remb, video.Feedback);
        Assert.Equal(1500, video.MaxBitrateKbps);

        SdpSessionDescription rejected = Parse(text.Replace("m=video 40002 RTP/AVP 96", "m=video 0 RTP/AVP 96"));
        Assert.Null(SdpVideoOfferAnswer.ReadAnswer(offer, rejected, Video));
    }

    [Fact]
    public void Garbage_in_the_video_attributes_never_throws()
    {
        const int Seed = 7741;
        Console.WriteLine($"SDP video attribute fuzz seed {Seed}");
        var random = new Random(Seed);
        string[] pieces = ["imageattr:", "rtcp-fb:", "fmtp:96 ", "x=", "y=", "[", "]", ":", ",", "recv", "send", "*", "96", "max-fs=", ";", "-1", "99999999999", " ", "nack", "pli", "q=0.5"];
        for (int i = 0; i < 3000; i++)
        {
            string attribute = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => pieces[random.Next(pieces.Length)]));
            string bandwidth = random.Next(3) switch { 0 => "AS:" + random.Next(), 1 => "TIAS:-" + random.Next(), _ => "X-YZ:abc" };
            string offer = BaresipOffer.Replace("a=content:main", "a=" + attribute).Replace("a=framerate:25.00", "b=" + bandwidth);
            if (SdpSessionDescription.TryParse(offer.Replace("\n", "\r\n"), out var sdp, out _))
            {
                SdpVideoOfferAnswer.CreateAnswer(sdp!, Audio, Video);
            }
        }
    }
}
