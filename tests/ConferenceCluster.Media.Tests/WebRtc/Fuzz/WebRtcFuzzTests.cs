using System.Net;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.Tests.WebRtc.Sdp;
using ConferenceCluster.Media.Tests.WebRtc.Srtp;
using ConferenceCluster.Media.Tests.WebRtc.Stun;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.WebRtc.Demux;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Legs;
using ConferenceCluster.Media.WebRtc.Sdp;
using ConferenceCluster.Media.WebRtc.Srtp;
using ConferenceCluster.Media.WebRtc.Stun;
using ConferenceCluster.Media.Workers;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ConferenceCluster.Media.Tests.WebRtc.Fuzz;

/// <summary>
/// Mutations of valid STUN, SRTP/SRTCP and offers, and random datagrams (fixed seeds, printed; bounded counts): the
/// demultiplexer, the STUN parser and ICE agent, SRTP unprotection and the offer parser never throw, and nothing
/// mutated is accepted as genuine.
/// </summary>
public class WebRtcFuzzTests(ITestOutputHelper output)
{
    private Random Seeded(int seed)
    {
        output.WriteLine($"seed {seed}");
        return new Random(seed);
    }

    [Fact]
    public void Mutated_and_random_stun_never_throws_and_only_the_genuine_check_is_answered()
    {
        var random = Seeded(5769);
        var server = new IceCredentials("srvU", "serverpassword0123456789");
        byte[] genuine = StunRequests.Check("srvU", "brwU", server.Password, useCandidate: true);
        byte[][] seeds = [genuine, StunMessageTests.Rfc5769Request];
        using var agent = new IceLiteAgent(server, "brwU", new FakeTimeProvider());
        var response = new byte[512];
        SocketAddress source = new IPEndPoint(IPAddress.Loopback, 9).Serialize();
        int answered = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = i % 10 == 0 ? RandomBytes(random) : Mutate(seeds[random.Next(seeds.Length)], random);
            PacketClassifier.Classify(input);
            if (StunMessage.TryParse(input, out StunMessage message))
            {
                _ = message.Username.Length + message.TransactionId.Length;
            }

            StunOutcome outcome = agent.ProcessStun(input, source, response, out int length);
            Assert.InRange(length, 0, response.Length);
            if (outcome == StunOutcome.Answered)
            {
                answered++;
                // A mutation can give back the original (a byte overwritten with itself): only that may pass.
                Assert.True(input.AsSpan().SequenceEqual(genuine), "a mutated check was accepted");
            }
        }

        output.WriteLine($"answered {answered}, statistics {agent.GetStatistics()}");
    }

    [Fact]
    public void Mutated_truncated_and_random_srtp_and_srtcp_never_throw_and_never_authenticate()
    {
        var random = Seeded(3711);
        var key = new SrtpMasterKey(RandomBytes(random, 16), RandomBytes(random, 14));
        using var sender = new SrtpContext(key);
        using var receiver = new SrtpContext(key);
        byte[][] srtp = Enumerable.Range(0, 20).Select(i => SrtpContextTests.Protect(sender, (ushort)(100 + i), ssrc: 77)).ToArray();
        byte[][] srtcp = Enumerable.Range(0, 5).Select(_ =>
        {
            var buffer = new byte[64];
            byte[] rtcp = Hex.Bytes("81c8000b 0000004d abababab abababab abababab abababab");
            rtcp.CopyTo(buffer, 0);
            return buffer[..sender.ProtectRtcp(buffer, rtcp.Length)];
        }).ToArray();

        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            bool rtcp = i % 3 == 0;
            byte[] original = rtcp ? srtcp[random.Next(srtcp.Length)] : srtp[random.Next(srtp.Length)];
            byte[] input = i % 7 == 0 ? RandomBytes(random) : Mutate(original, random);
            SrtpResult result = rtcp ? receiver.UnprotectRtcp(input, out int length) : receiver.UnprotectRtp(input, out length);
            if (result == SrtpResult.Ok)
            {
                accepted++;
                Assert.InRange(length, 0, input.Length);
            }
        }

        // Mutation sometimes changes nothing: only those unchanged copies (the first of each index) may pass.
        Assert.InRange(accepted, 0, srtp.Length + srtcp.Length);
        SrtpStatistics statistics = receiver.Statistics;
        output.WriteLine($"accepted {accepted}; {statistics}");
        Assert.True(statistics.AuthenticationFailures + statistics.Malformed + statistics.Replayed > 15_000);
    }

    [Fact]
    public void Mutated_offers_are_answered_or_refused_with_a_reason_never_an_unexpected_exception()
    {
        var random = Seeded(8829);
        byte[][] seeds = new[] { "chromium-156-audio-offer.sdp", "chromium-156-audio-video-data-offer.sdp", "firefox-audio-video-offer.sdp" }
            .Select(name => System.Text.Encoding.UTF8.GetBytes(WebRtcOfferAnswerTests.Fixture(name))).ToArray();
        var parameters = new WebRtcAnswerParameters
        {
            Candidate = new IPEndPoint(IPAddress.Loopback, 40000),
            IceCredentials = IceCredentials.Generate(),
            Fingerprint = Media.WebRtc.Dtls.DtlsCertificate.Generate().Fingerprint,
            Ssrc = 1,
            Cname = "fuzz",
        };
        int answered = 0, refused = 0;
        for (int i = 0; i < 3_000; i++)
        {
            string offer = System.Text.Encoding.UTF8.GetString(Mutate(seeds[random.Next(seeds.Length)], random));
            try
            {
                WebRtcAnswer.Create(WebRtcOffer.Parse(offer), parameters);
                answered++;
            }
            catch (WebRtcOfferException)
            {
                refused++;
            }
        }

        output.WriteLine($"answered {answered}, refused {refused}");
        Assert.True(answered > 0 && refused > 0);
    }

    /// <summary>
    /// Through a real leg's socket, from the browser's validated address: thousands of mutated STUN, DTLS and SRTP
    /// datagrams. The worker keeps running (its ticks go on), the leg still authenticates the next genuine packet.
    /// </summary>
    [Fact]
    public async Task A_leg_fed_mutated_datagrams_from_its_browser_keeps_working()
    {
        var random = Seeded(7983);
        await using var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(45300, 45349) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("fuzz");
        var factory = new WebRtcLegFactory(engine);
        using var browser = new SimulatedBrowser();
        WebRtcLeg leg = await factory.CreateLegAsync(conference, browser.Offer());
        await Task.Run(() => browser.Connect(leg.AnswerSdp));
        await leg.Connected.WaitAsync(TimeSpan.FromSeconds(10));

        var rtp = new byte[12 + 40];
        RtpHeader.WriteFixed(rtp, false, 111, 1, 960, 0xBEEF);
        browser.SendRtp(rtp);
        byte[] srtp = browser.LastSent!;
        byte[] stun = StunRequests.Check(browser.ServerUfrag, browser.Credentials.UsernameFragment, browser.ServerPassword);
        byte[] dtls = Hex.Bytes("16 fefd 0000 0000 0000 0005 0010 01000004000000000004 00000000"); // a truncated ClientHello
        byte[][] seeds = [srtp, stun, dtls];
        for (int i = 0; i < 3_000; i++)
        {
            browser.SendRaw(i % 5 == 0 ? RandomBytes(random) : Mutate(seeds[random.Next(seeds.Length)], random));
            if (i % 100 == 0)
            {
                await Task.Delay(5); // let the worker drain: a full socket buffer would only drop, not test
            }
        }

        long ticks = engine.GetWorkerStatistics()[0].Ticks;
        Assert.True(await Eventually.TrueAsync(() => engine.GetWorkerStatistics()[0].Ticks > ticks + 10), "the worker stopped ticking");
        RtpHeader.WriteFixed(rtp, false, 111, 2, 1920, 0xBEEF);
        long before = leg.GetStatistics().Transport.Inbound.Unprotected;
        browser.SendRtp(rtp);
        Assert.True(await Eventually.TrueAsync(() => leg.GetStatistics().Transport.Inbound.Unprotected > before), leg.GetStatistics().ToString());
        output.WriteLine(leg.GetStatistics().Transport.ToString());
    }

    private static byte[] RandomBytes(Random random, int? length = null)
    {
        var bytes = new byte[length ?? random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Flip, overwrite, insert, delete or truncate a few bytes.</summary>
    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return bytes.ToArray();
    }
}
