using System.Diagnostics;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Sip.Tests;

/// <summary>
/// Random mutations of the valid RFC 4475 messages (fixed seed, bounded count): the parser must
/// never throw, never hang, and whatever it accepts must serialize and parse again.
/// </summary>
public class FuzzTests
{
    private const int Mutations = 20_000;

    // Bytes that matter to the grammar are chosen more often than random ones.
    private static readonly byte[] Interesting = "\r\n \t:;,=\"<>%@?/\\[]0123456789-"u8.ToArray();

    [Fact]
    public void Mutated_messages_never_throw_or_hang()
    {
        var seeds = TortureMessages.AllNames().Select(TortureMessages.Load).ToArray();
        var random = new Random(4475);
        var options = new SipParserOptions { MaxMessageSize = 8192, MaxHeaderCount = 64, MaxLineLength = 2048 };
        var stopwatch = Stopwatch.StartNew();
        var accepted = 0;

        for (var i = 0; i < Mutations; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Length)], random);
            var transport = (i & 1) == 0 ? SipTransportKind.Datagram : SipTransportKind.Stream;
            var result = SipMessageParser.Parse(input, transport, options);
            Assert.InRange(result.BytesConsumed, 0, input.Length);
            if (result.IsSuccess)
            {
                accepted++;
                ExerciseMessage(result.Message!);
            }
            else if (result.Status == SipParseStatus.RespondWithError)
            {
                Assert.NotNull(SipResponseFactory.CreateErrorResponse(result));
            }
        }

        Assert.InRange(accepted, 1, Mutations - 1); // mutations hit both sides of the grammar
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"fuzzing took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Mutated_sdp_never_throws()
    {
        var offer = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
                    "m=audio 5004 RTP/AVP 96 0 8 101\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n" +
                    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n" +
                    "m=video 5006 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n";
        var seed = System.Text.Encoding.UTF8.GetBytes(offer);
        var random = new Random(3264);
        var options = new SdpAudioOptions { LocalAddress = "198.51.100.1", LocalRtpPort = 40000 };
        for (var i = 0; i < 5_000; i++)
        {
            var input = Mutate(seed, random);
            if (!SdpSessionDescription.TryParse(input, out var sdp, out _)) continue;
            var answer = SdpOfferAnswer.CreateAudioAnswer(sdp!, options);
            _ = answer.Answer?.ToString();
            _ = sdp!.ToString();
        }
    }

    public static TheoryData<string> PathologicalHeaders => new()
    {
        "Via: " + new string(',', 6000),
        "Via: SIP/2.0/UDP h" + string.Concat(Enumerable.Repeat(";a", 3000)),
        "To: \"" + new string('\\', 6001),
        "To: " + new string('<', 6000),
        "Contact: " + string.Concat(Enumerable.Repeat("<sip:a@b>,", 600)),
        "X: " + string.Concat(Enumerable.Repeat("\r\n x", 2000)),
        "From: sip:" + string.Concat(Enumerable.Repeat("%2", 3000)) + "@h",
    };

    [Theory]
    [MemberData(nameof(PathologicalHeaders))]
    public void Pathological_headers_are_handled_in_one_pass_without_throwing(string header)
    {
        var text = "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" + header +
                   "\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        foreach (var transport in new[] { SipTransportKind.Datagram, SipTransportKind.Stream })
        {
            var result = SipMessageParser.Parse(bytes, transport);
            // complete input: always a verdict, never a request for more bytes
            Assert.NotEqual(SipParseStatus.NeedMoreData, result.Status);
            Assert.Equal(result.IsSuccess, result.Error == SipParseError.None);
        }
    }

    private static void ExerciseMessage(SipMessage message)
    {
        _ = message.TopVia?.ToString();
        _ = message.From?.ToString();
        _ = message.To?.ToString();
        _ = message.Contacts.Count;
        var bytes = SipSerializer.Serialize(message);
        var again = SipMessageParser.Parse(bytes, SipTransportKind.Stream);
        Assert.True(again.IsSuccess, again.ToString());
        if (message is SipRequest request)
        {
            Assert.Equal(request.Method, Assert.IsType<SipRequest>(again.Message).Method);
            _ = SipResponseFactory.CreateResponse(request, 200, toTag: "t");
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits && data.Count > 0; e++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(6))
            {
                case 0: data[at] = RandomByte(random); break;
                case 1: data.Insert(at, RandomByte(random)); break;
                case 2: data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16))); break;
                case 3:
                    var len = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    break;
                case 4: data.RemoveRange(at, data.Count - at); break; // truncate
                default: data[at] = (byte)(data[at] ^ (1 << random.Next(8))); break;
            }
        }
        return data.ToArray();
    }

    private static byte RandomByte(Random random) =>
        random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
}
