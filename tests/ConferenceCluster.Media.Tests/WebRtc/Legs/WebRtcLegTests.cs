using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.Support;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Legs;
using ConferenceCluster.Media.WebRtc.Sdp;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.WebRtc.Legs;

/// <summary>
/// WebRTC legs in a real <see cref="MediaEngine"/> on 127.0.0.1, driven by a <see cref="SimulatedBrowser"/> (STUN check,
/// BouncyCastle DTLS client, SRTP): media both ways through the mixer, and everything a leg must refuse.
/// </summary>
public class WebRtcLegTests
{
    private static readonly DtlsCertificate NodeCertificate = DtlsCertificate.Generate();

    private static async Task<(MediaEngine Engine, ConferenceMedia Conference, WebRtcLegFactory Factory)> StartAsync(int portBase)
    {
        var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(portBase, portBase + 49) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("webrtc");
        return (engine, conference, new WebRtcLegFactory(engine, new WebRtcOptions { Certificate = NodeCertificate }));
    }

    /// <summary>An engine with one conference and one browser leg whose ICE and DTLS are done.</summary>
    private static async Task<(MediaEngine Engine, WebRtcLeg Leg, SimulatedBrowser Browser)> ConnectedLegAsync(int portBase)
    {
        (MediaEngine engine, ConferenceMedia conference, WebRtcLegFactory factory) = await StartAsync(portBase);
        var browser = new SimulatedBrowser();
        WebRtcLeg leg = await factory.CreateLegAsync(conference, browser.Offer());
        await Task.Run(() => browser.Connect(leg.AnswerSdp));
        await leg.Connected.WaitAsync(TimeSpan.FromSeconds(10));
        return (engine, leg, browser);
    }

    [Fact]
    public async Task A_browser_leg_and_an_rtp_phone_hear_each_other_through_srtp_and_the_mixer()
    {
        (MediaEngine engine, ConferenceMedia conference, WebRtcLegFactory factory) = await StartAsync(45000);
        await using MediaEngine ownedEngine = engine;
        using var browser = new SimulatedBrowser();
        using var phone = new RtpTestEndpoint(0, 160);
        MediaParticipant phoneLeg = await conference.AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Pcmu, PayloadType = 0, RemoteRtp = phone.LocalEndPoint });
        phone.Server = new IPEndPoint(IPAddress.Loopback, phoneLeg.LocalRtpPort);
        WebRtcLeg leg = await factory.CreateLegAsync(conference, browser.Offer(codecs: "pcmu"));

        await Task.Run(() => browser.Connect(leg.AnswerSdp));
        await leg.Connected.WaitAsync(TimeSpan.FromSeconds(10));

        byte[][] browserTone = TonePhones.EncodePcmuTone(50, 1000);
        byte[][] phoneTone = TonePhones.EncodePcmuTone(50, 600);
        var heardByBrowser = new List<byte[]>();
        var packet = new byte[12 + 160];
        var steadyState = new WorkerAllocationWindow(conference.Worker, 50, 120);
        await Task.Run(() =>
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int frame = 0; frame < 150; frame++)
            {
                steadyState.OnFrame(frame);
                RtpHeader.WriteFixed(packet, false, 0, (ushort)frame, (uint)(frame * 160), 0xB0B);
                browserTone[frame % 50].CopyTo(packet, 12);
                browser.SendRtp(packet);
                phone.SendFrame(phoneTone[frame % 50]);
                phone.DrainReceived();
                heardByBrowser.AddRange(browser.DrainRtp().Select(p => p[12..]));
                TonePhones.SleepUntil(start, frame + 1);
            }

            TonePhones.SleepUntil(start, 160);
            phone.DrainReceived();
            heardByBrowser.AddRange(browser.DrainRtp().Select(p => p[12..]));
        });

        (short[] browserPcm, _) = TonePhones.Decode(AudioCodec.Pcmu, heardByBrowser);
        (short[] phonePcm, _) = TonePhones.Decode(AudioCodec.Pcmu, phone.Received.Values);
        Assert.True(TonePhones.MedianFrameAmplitude(browserPcm, 8000, 600) > 3000, "the browser does not hear the phone");
        Assert.True(TonePhones.MedianFrameAmplitude(browserPcm, 8000, 1000) < 150, "the browser hears itself");
        Assert.True(TonePhones.MedianFrameAmplitude(phonePcm, 8000, 1000) > 3000, "the phone does not hear the browser");
        Assert.True(TonePhones.MedianFrameAmplitude(phonePcm, 8000, 600) < 150, "the phone hears itself");
        WebRtcLegStatistics statistics = leg.GetStatistics();
        Assert.InRange(statistics.Media.PacketsReceived, 100, 150);
        Assert.Equal(0, statistics.Transport.Inbound.AuthenticationFailures);
        Assert.Equal(DtlsState.Connected, statistics.Transport.DtlsState);
        // Demultiplexing, ICE source checks, SRTP both ways: nothing allocated per packet or tick on the worker.
        steadyState.AssertNothingAllocatedPerTick();
    }

    // RFC 8827 §6.5 / RFC 5763 §5: the certificate must be the one the offer's fingerprint names.
    [Fact]
    public async Task A_dtls_client_whose_certificate_does_not_match_the_offer_fingerprint_is_refused()
    {
        (MediaEngine engine, ConferenceMedia conference, WebRtcLegFactory factory) = await StartAsync(45050);
        await using MediaEngine ownedEngine = engine;
        using var browser = new SimulatedBrowser();
        DtlsFingerprint someoneElse = DtlsCertificate.Generate().Fingerprint;
        string offer = WebRtcOffers.Build(browser.Credentials, someoneElse);
        WebRtcLeg leg = await factory.CreateLegAsync(conference, offer);

        Exception? clientFailure = await Record.ExceptionAsync(() => Task.Run(() => browser.Connect(leg.AnswerSdp)));
        DtlsHandshakeException serverFailure = await Assert.ThrowsAsync<DtlsHandshakeException>(() => leg.Connected.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.NotNull(clientFailure); // the browser got bad_certificate
        Assert.Contains("fingerprint", serverFailure.Message);
        Assert.Equal(DtlsState.Failed, leg.GetStatistics().Transport.DtlsState);
        Assert.Equal(0, leg.GetStatistics().Transport.Inbound.Unprotected); // no keys, no media
    }

    [Fact]
    public async Task Srtp_from_an_address_that_passed_no_ice_check_is_ignored_and_counted()
    {
        (MediaEngine engine, WebRtcLeg leg, SimulatedBrowser browser) = await ConnectedLegAsync(45100);
        await using MediaEngine ownedEngine = engine;
        using SimulatedBrowser ownedBrowser = browser;

        // A second socket (another port: another address for ICE) sends what would otherwise be valid traffic.
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var rtp = new byte[12 + 20];
        RtpHeader.WriteFixed(rtp, false, 111, 1, 960, 0xACE);
        for (int i = 0; i < 5; i++)
        {
            stranger.SendTo(rtp, browser.Server!);                   // plain RTP
            stranger.SendTo(new byte[] { 23, 254, 253, 0, 0 }, browser.Server!); // a DTLS-looking record
        }

        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.DroppedFromUnvalidatedAddress >= 10), leg.GetStatistics().ToString());
        Assert.Equal(0, leg.GetStatistics().Media.PacketsReceived);
    }

    [Fact]
    public async Task Replayed_forged_and_garbage_packets_are_dropped_and_counted_and_the_leg_keeps_working()
    {
        (MediaEngine engine, WebRtcLeg leg, SimulatedBrowser browser) = await ConnectedLegAsync(45150);
        await using MediaEngine ownedEngine = engine;
        using SimulatedBrowser ownedBrowser = browser;

        var rtp = new byte[12 + 20];
        RtpHeader.WriteFixed(rtp, false, 111, 7, 960 * 7, 0xF00D);
        browser.SendRtp(rtp);
        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.Inbound.Unprotected == 1));

        // Garbage in every class of first byte, truncated packets, and a forged SRTP packet (right header, wrong tag).
        var random = new Random(1234);
        for (int i = 0; i < 50; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            browser.SendRaw(garbage);
        }

        var forged = new byte[12 + 20 + 10];
        rtp.CopyTo(forged, 0);
        BinaryPrimitives.WriteUInt16BigEndian(forged.AsSpan(2), 8);
        browser.SendRaw(forged);

        Assert.True(await Eventually.TrueAsync(() =>
        {
            WebRtcLegStatistics s = leg.GetStatistics();
            return s.Transport.Inbound.AuthenticationFailures + s.Transport.Inbound.Malformed + s.Transport.DroppedUnknown + s.Transport.Ice.Dropped >= 40;
        }), leg.GetStatistics().ToString());

        // The leg still takes the browser's next genuine packet, and refuses its replay.
        RtpHeader.WriteFixed(rtp, false, 111, 9, 960 * 9, 0xF00D);
        browser.SendRtp(rtp);
        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.Inbound.Unprotected == 2), leg.GetStatistics().ToString());
        browser.SendRaw(browser.LastSent!);
        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.Inbound.Replayed == 1), leg.GetStatistics().ToString());
        Assert.Equal(2, leg.GetStatistics().Transport.Inbound.Unprotected);
        Assert.True(browser.Check(useCandidate: false), "ICE still answers");
    }

    [Fact]
    public async Task A_bad_offer_binds_no_port()
    {
        (MediaEngine engine, ConferenceMedia conference, WebRtcLegFactory factory) = await StartAsync(45200);
        await using MediaEngine ownedEngine = engine;
        WebRtcOfferException error = await Assert.ThrowsAsync<WebRtcOfferException>(() => factory.CreateLegAsync(conference, "v=0\r\ns=-\r\nt=0 0\r\n"));
        Assert.Equal(WebRtcOfferError.NoAudio, error.Error);
        Assert.Equal(0, engine.PortAllocator.Allocated);
        Assert.Equal(0, conference.ParticipantCount);
    }

    [Fact]
    public async Task Removing_a_leg_releases_its_port()
    {
        (MediaEngine engine, ConferenceMedia conference, WebRtcLegFactory factory) = await StartAsync(45250);
        await using MediaEngine ownedEngine = engine;
        using var browser = new SimulatedBrowser();
        WebRtcLeg leg = await factory.CreateLegAsync(conference, browser.Offer());
        Assert.Equal(1, engine.PortAllocator.Allocated);
        await leg.DisposeAsync();
        Assert.Equal(0, engine.PortAllocator.Allocated);
        Assert.Equal(0, conference.ParticipantCount);
    }
}
