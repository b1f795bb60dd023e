using Xunit.Abstractions;
using System.Text.Json;

namespace ConferenceCluster.WebRtc.Tests.Chromium;

/// <summary>
/// Debian's headless Chromium 156 against the media node's WebRTC legs, at the media layer (no grains): ICE-lite,
/// DTLS 1.2 with BouncyCastle (Chromium offers DTLS 1.3 and splits its ClientHello over two records), SRTP, the
/// mixer. The page measures what it hears with WebAudio and reports; nothing here asserts timing.
/// </summary>
[Collection(ChromiumCollection.Name)]
public class ChromiumMediaTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Chromium_completes_ice_and_a_dtls_1_2_handshake_with_the_media_node()
    {
        BrowserCallResult call = await BrowserCall.RunAsync(portBase: 46000, withPhone: false);
        JsonElement report = call.Report;

        Assert.True(report.TryGetProperty("connectionState", out JsonElement state) && state.GetString() == "connected", call.Describe());
        Assert.Equal("connected", report.GetProperty("dtlsState").GetString());
        Assert.Equal("FEFD", report.GetProperty("dtlsVersion").GetString()); // DTLS 1.2: BouncyCastle has no 1.3 server
        Assert.Equal("SRTP_AES128_CM_HMAC_SHA1_80", report.GetProperty("srtpCipher").GetString());
        Assert.NotNull(call.Leg);
        Assert.True(call.LegObject!.Connected.IsCompletedSuccessfully, call.Describe());
        Assert.Null(call.Leg!.Transport.DtlsFailure);
        // The page closes its RTCPeerConnection at the end: Chromium's close_notify closes the association here too.
        Assert.Equal(Media.WebRtc.Dtls.DtlsState.Closed, call.Leg.Transport.DtlsState);
        Assert.True(call.Leg.Transport.Ice.ChecksAnswered >= 1, call.Describe());
        Assert.True(call.Leg.Transport.Inbound.Unprotected > 0, call.Describe());
        Assert.Equal(0, call.Leg.Transport.Inbound.AuthenticationFailures);
    }

    [Fact]
    public async Task Chromium_and_an_rtp_phone_hear_each_other_and_neither_hears_itself()
    {
        BrowserCallResult call = await BrowserCall.RunAsync(portBase: 46200, withPhone: true);
        JsonElement report = call.Report;
        Assert.True(report.TryGetProperty("toneAmplitudes", out JsonElement heard), call.Describe());

        // The browser: RTP arrived, and what it decoded is the phone's tone, not its own (mix-minus).
        Assert.True(report.GetProperty("packetsReceived").GetInt32() > 50, call.Describe());
        double phoneTone = heard.GetProperty("600").GetDouble();
        double ownTone = heard.GetProperty("1000").GetDouble();
        Assert.True(phoneTone > 0.05, $"the browser hears the phone's 600 Hz only at {phoneTone:F4} of full scale (sent at 0.18)\n{call.Describe()}");
        Assert.True(ownTone < 0.01, $"the browser hears its own 1000 Hz at {ownTone:F4} of full scale\n{call.Describe()}");
        Assert.Equal(BrowserCall.PhoneTone, report.GetProperty("peakFrequency").GetDouble());

        // The phone: the browser's tone in many frames, its own in (almost) none.
        double[] browserInPhone = BrowserCall.FrameAmplitudes(call.PhoneHeard, BrowserCall.BrowserTone);
        double[] ownInPhone = BrowserCall.FrameAmplitudes(call.PhoneHeard, BrowserCall.PhoneTone);
        int framesWithBrowser = browserInPhone.Count(a => a > 2000);
        output.WriteLine($"browser heard 600 Hz at {phoneTone:F4}, 1000 Hz at {ownTone:F4}; phone heard 1000 Hz in {framesWithBrowser}/{browserInPhone.Length} frames, median {Median(browserInPhone):F0}, own 600 Hz median {Median(ownInPhone):F0}");
        Assert.True(framesWithBrowser >= 50, $"the phone hears the browser's 1000 Hz in only {framesWithBrowser} of {browserInPhone.Length} frames (sent at 8000)\n{call.Describe()}");
        Array.Sort(ownInPhone);
        double ownP95 = ownInPhone.Length == 0 ? 0 : ownInPhone[(int)(ownInPhone.Length * 0.95)];
        Assert.True(ownP95 < 300, $"the phone hears its own 600 Hz at {ownP95:F0} (95th percentile of {ownInPhone.Length} frames)");

        // The leg: SRTP both ways, nothing refused.
        Assert.True(call.Leg!.Media.PacketsReceived > 50, call.Describe());
        Assert.True(call.Leg.Transport.Outbound.Protected > 50, call.Describe());
        Assert.Equal(0, call.Leg.Transport.Inbound.AuthenticationFailures);
        Assert.Equal(0, call.Leg.Transport.Inbound.Replayed);
    }

    /// <summary>
    /// A proxying edge between Chromium and the media node (R43): the answer names the edge's port, ICE is answered by
    /// the node's ICE-lite through the edge, DTLS and SRTP pass through it untouched, and the audio flows both ways.
    /// </summary>
    [Fact]
    public async Task Chromium_through_a_proxying_edge_relay_connects_and_hears_the_phone()
    {
        BrowserCallResult call = await BrowserCall.RunAsync(portBase: 46400, withPhone: true, relay: true);
        JsonElement report = call.Report;

        Assert.True(report.TryGetProperty("connectionState", out JsonElement state) && state.GetString() == "connected", call.Describe());
        double phoneTone = report.GetProperty("toneAmplitudes").GetProperty("600").GetDouble();
        Assert.True(phoneTone > 0.05, $"through the edge the browser hears the phone's 600 Hz only at {phoneTone:F4}\n{call.Describe()}");
        int framesWithBrowser = BrowserCall.FrameAmplitudes(call.PhoneHeard, BrowserCall.BrowserTone).Count(a => a > 2000);
        Assert.True(framesWithBrowser >= 50, $"through the edge the phone hears the browser in only {framesWithBrowser} frames\n{call.Describe()}");
        Assert.NotNull(call.Relay);
        Assert.True(call.Relay!.ChecksForwarded >= 1 && call.Relay.FromBrowser > 50 && call.Relay.ToBrowser > 50, call.Describe());
        Assert.Equal(0, call.Leg!.Transport.Inbound.AuthenticationFailures);
    }

    private static double Median(double[] values) => values.Length == 0 ? 0 : values.Order().ElementAt(values.Length / 2);

    /// <summary>
    /// Chromium's offer with audio, video and a data channel in one BUNDLE group: the answer takes the audio, rejects the
    /// video and data m= lines with port 0 (RFC 8843 §7.3.3, RFC 3264 §6) and leaves them out of the group; Chromium
    /// accepts that and connects.
    /// </summary>
    [Fact]
    public async Task Chromium_bundle_offer_with_video_and_data_is_answered_audio_only_and_connects()
    {
        BrowserCallResult call = await BrowserCall.RunAsync(portBase: 46300, withPhone: false, extras: "video,data");
        JsonElement report = call.Report;

        Assert.True(report.TryGetProperty("connectionState", out JsonElement state) && state.GetString() == "connected", call.Describe());
        string answer = report.GetProperty("answer").GetString()!;
        Assert.Contains("a=group:BUNDLE 0\r\n", answer);
        Assert.Contains("m=video 0 ", answer);
        Assert.Contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel", answer);
        Assert.True(report.GetProperty("packetsReceived").GetInt32() > 0, call.Describe());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChromiumCollection
{
    public const string Name = "chromium";
}
