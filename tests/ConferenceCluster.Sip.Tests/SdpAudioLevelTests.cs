using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Sip.Tests;

/// <summary>RFC 6464 audio levels negotiated with RFC 8285 "a=extmap" in our SDP answer.</summary>
public class SdpAudioLevelTests
{
    private static readonly SdpAudioOptions Options = new() { LocalAddress = "198.51.100.7", LocalRtpPort = 40000 };

    private static SdpAnswerResult Answer(string media, SdpAudioOptions? options = null)
    {
        var offer = "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" + media.Replace("\n", "\r\n");
        Assert.True(SdpSessionDescription.TryParse(offer, out var sdp, out var error), error);
        return SdpOfferAnswer.CreateAudioAnswer(sdp!, options ?? Options);
    }

    [Fact]
    public void Rfc8285_an_offered_audio_level_is_answered_with_the_same_id()
    {
        var result = Answer("m=audio 49170 RTP/AVP 111\na=rtpmap:111 opus/48000/2\n" +
                            "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\na=extmap:1/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\n");
        Assert.True(result.IsSuccess);
        Assert.Equal(1, result.Audio!.AudioLevelExtensionId);
        var answered = result.Answer!.Media[0];
        Assert.Equal(["1 " + SdpOfferAnswer.AudioLevelExtensionUri], answered.Attributes.Where(a => a.Name == "extmap").Select(a => a.Value));
        Assert.Equal(1, answered.GetExtensionId(SdpOfferAnswer.AudioLevelExtensionUri));
        Assert.Equal("sendrecv", answered.Attributes[^1].Name); // the direction stays last
    }

    [Theory]
    [InlineData("")]                                                                  // not offered
    [InlineData("a=extmap:0 urn:ietf:params:rtp-hdrext:ssrc-audio-level\n")]          // id 0 is padding
    [InlineData("a=extmap:15 urn:ietf:params:rtp-hdrext:ssrc-audio-level\n")]         // id 15 is reserved
    [InlineData("a=extmap:x urn:ietf:params:rtp-hdrext:ssrc-audio-level\n")]          // not a number
    [InlineData("a=extmap:2\n")]                                                      // no URI
    public void Without_a_usable_offer_there_is_no_extmap_and_nothing_else_changes(string extmap)
    {
        var result = Answer("m=audio 49170 RTP/AVP 0\n" + extmap);
        Assert.True(result.IsSuccess);
        Assert.Null(result.Audio!.AudioLevelExtensionId);
        Assert.DoesNotContain(result.Answer!.Media[0].Attributes, a => a.Name == "extmap");
    }

    [Fact]
    public void Audio_levels_can_be_refused()
    {
        var result = Answer("m=audio 49170 RTP/AVP 0\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\n",
            new SdpAudioOptions { LocalAddress = "198.51.100.7", LocalRtpPort = 40000, AcceptAudioLevels = false });
        Assert.Null(result.Audio!.AudioLevelExtensionId);
        Assert.DoesNotContain(result.Answer!.Media[0].Attributes, a => a.Name == "extmap");
    }
}
