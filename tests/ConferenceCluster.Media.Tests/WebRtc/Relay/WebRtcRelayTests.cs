using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Legs;
using ConferenceCluster.Media.WebRtc.Relay;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.WebRtc.Relay;

/// <summary>
/// A proxying edge's relay between a (simulated) browser and a WebRTC leg: ICE answered end to end by the leg, DTLS and
/// SRTP passed through untouched (the relay has no keys), strangers dropped at the edge.
/// </summary>
public class WebRtcRelayTests
{
    private static async Task<(MediaEngine Engine, ConferenceMedia Conference, WebRtcLeg Leg, WebRtcRelay Relay, SimulatedBrowser Browser)> StartAsync(int portBase)
    {
        var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(portBase, portBase + 19) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("edge");
        var factory = new WebRtcLegFactory(engine);
        // The edge is another node: its own port range.
        WebRtcRelay relay = WebRtcRelay.Start(IPAddress.Loopback, new RtpPortAllocator(new PortRange(portBase + 20, portBase + 39)));
        var browser = new SimulatedBrowser();
        WebRtcLeg leg = await factory.CreateLegAsync(conference, browser.Offer(), new WebRtcLegOptions { Candidate = relay.OuterEndPoint });
        relay.SetMediaLeg(leg.LocalEndPoint);
        return (engine, conference, leg, relay, browser);
    }

    [Fact]
    public async Task Browser_reaches_the_leg_through_the_relay_with_ice_dtls_and_srtp_end_to_end()
    {
        (MediaEngine engine, _, WebRtcLeg leg, WebRtcRelay relay, SimulatedBrowser browser) = await StartAsync(45400);
        await using MediaEngine ownedEngine = engine;
        await using WebRtcRelay ownedRelay = relay;
        using SimulatedBrowser ownedBrowser = browser;

        Assert.Contains($"a=candidate:1 1 udp 2130706431 127.0.0.1 {relay.OuterEndPoint.Port} typ host", leg.AnswerSdp);
        await Task.Run(() => browser.Connect(leg.AnswerSdp));
        Assert.Equal(relay.OuterEndPoint, browser.Server); // everything went through the edge
        await leg.Connected.WaitAsync(TimeSpan.FromSeconds(10));

        var rtp = new byte[12 + 40];
        for (ushort sequence = 1; sequence <= 5; sequence++)
        {
            RtpHeader.WriteFixed(rtp, false, 111, sequence, sequence * 960u, 0xED6E);
            browser.SendRtp(rtp);
        }

        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.Inbound.Unprotected == 5), leg.GetStatistics().ToString());
        Assert.NotNull(browser.ReceiveRtp(TimeSpan.FromSeconds(5))); // the mix comes back through the edge, SRTP the browser decrypts
        Assert.Equal(relay.InnerEndPoint.ToString(), leg.GetStatistics().Transport.Ice.SelectedRemote); // the leg sees the edge
        WebRtcRelayStatistics statistics = relay.GetStatistics();
        Assert.True(statistics.ChecksForwarded >= 1);
        Assert.True(statistics.FromBrowser >= 7, statistics.ToString()); // a check, the DTLS flights, five SRTP packets
        Assert.Equal(browser.LocalEndPoint.ToString(), statistics.SelectedBrowser);
    }

    [Fact]
    public async Task A_stranger_gets_nothing_through_the_edge_until_the_leg_answered_its_check()
    {
        (MediaEngine engine, _, WebRtcLeg leg, WebRtcRelay relay, SimulatedBrowser browser) = await StartAsync(45440);
        await using MediaEngine ownedEngine = engine;
        await using WebRtcRelay ownedRelay = relay;
        using SimulatedBrowser ownedBrowser = browser;
        await Task.Run(() => browser.Connect(leg.AnswerSdp));
        await leg.Connected.WaitAsync(TimeSpan.FromSeconds(10));

        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var rtp = new byte[12 + 40 + 10];
        RtpHeader.WriteFixed(rtp, false, 111, 1, 960, 0xBAD);
        stranger.SendTo(rtp, relay.OuterEndPoint);
        stranger.SendTo(new byte[] { 22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, relay.OuterEndPoint);
        // A check with wrong credentials is forwarded, the leg answers 401, and the stranger stays unvalidated.
        stranger.SendTo(StunRequests.Check(browser.ServerUfrag, "evil", "wrong-password-0123456789"), relay.OuterEndPoint);

        Assert.True(await Eventually.TrueAsync(() => relay.GetStatistics().DroppedFromUnvalidatedAddress >= 2), relay.GetStatistics().ToString());
        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.Ice.Unauthorized == 1), leg.GetStatistics().ToString());
        stranger.SendTo(rtp, relay.OuterEndPoint);
        Assert.True(await Eventually.TrueAsync(() => relay.GetStatistics().DroppedFromUnvalidatedAddress >= 3), relay.GetStatistics().ToString());
        Assert.Equal(0, leg.GetStatistics().Transport.Inbound.AuthenticationFailures); // nothing of the stranger's reached the leg
    }
}
