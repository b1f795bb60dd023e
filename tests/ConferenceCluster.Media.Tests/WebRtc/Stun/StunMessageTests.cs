using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Media.Tests.WebRtc.Support;
using ConferenceCluster.Media.WebRtc.Stun;

namespace ConferenceCluster.Media.Tests.WebRtc.Stun;

/// <summary>STUN parsing, MESSAGE-INTEGRITY and FINGERPRINT against the test vectors of RFC 5769.</summary>
public class StunMessageTests
{
    private const string Password = "VOkJxbRl1RmTxUk/WvJxBt";

    /// <summary>RFC 5769 §2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.</summary>
    internal static readonly byte[] Rfc5769Request = Hex.Bytes("""
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff
        80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf
        """);

    /// <summary>RFC 5769 §2.2: the IPv4 Binding success response (192.0.2.1:32853).</summary>
    private static readonly byte[] Rfc5769Response = Hex.Bytes("""
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96
        """);

    [Fact]
    public void Rfc5769_request_parses_and_its_integrity_and_fingerprint_verify()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Request, out StunMessage request));
        Assert.Equal(StunMessageType.BindingRequest, request.Type);
        Assert.Equal("evtj:h6vY"u8.ToArray(), request.Username.ToArray());
        Assert.True(request.HasPriority);
        Assert.Equal(0x6e0001ffu, request.Priority);
        Assert.True(request.IceControlled);
        Assert.False(request.UseCandidate);
        Assert.True(StunIntegrity.VerifyFingerprint(request));
        using var integrity = StunIntegrity.ForPassword(Password);
        Assert.True(integrity.Verify(request));
        using var wrong = StunIntegrity.ForPassword("not the password at all");
        Assert.False(wrong.Verify(request));
    }

    [Fact]
    public void Rfc5769_response_verifies_and_its_xor_mapped_address_is_192_0_2_1_port_32853()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Response, out StunMessage response));
        Assert.Equal(StunMessageType.BindingSuccessResponse, response.Type);
        Assert.True(StunIntegrity.VerifyFingerprint(response));
        using var integrity = StunIntegrity.ForPassword(Password);
        Assert.True(integrity.Verify(response));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), StunMessageWriter.ReadXorMappedAddress(response));
    }

    [Fact]
    public void Written_response_has_the_rfc5769_xor_mapped_address_bytes_and_verifies()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Request, out StunMessage request));
        using var integrity = StunIntegrity.ForPassword(Password);
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853).Serialize());
        writer.AddMessageIntegrity(integrity);
        writer.AddFingerprint();
        byte[] written = buffer[..writer.Length];

        Assert.Equal(Hex.Bytes("00 20 00 08 00 01 a1 47 e1 12 a6 43"), written[20..32]); // as in RFC 5769 §2.2
        Assert.True(StunMessage.TryParse(written, out StunMessage parsed));
        Assert.True(integrity.Verify(parsed));
        Assert.True(StunIntegrity.VerifyFingerprint(parsed));
    }

    [Fact]
    public void Ipv6_xor_mapped_address_round_trips()
    {
        var endpoint = new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, Rfc5769Request.AsSpan(8, 12));
        writer.AddXorMappedAddress(endpoint.Serialize());
        writer.AddFingerprint();
        Assert.True(StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out StunMessage parsed));
        Assert.Equal(endpoint, StunMessageWriter.ReadXorMappedAddress(parsed));
        Assert.Equal(AddressFamily.InterNetworkV6, StunMessageWriter.ReadXorMappedAddress(parsed).AddressFamily);
    }

    [Theory]
    [InlineData(25)]  // inside the SOFTWARE value
    [InlineData(80)]  // inside the USERNAME
    [InlineData(90)]  // inside MESSAGE-INTEGRITY
    public void A_changed_byte_fails_integrity_or_fingerprint(int index)
    {
        byte[] tampered = (byte[])Rfc5769Request.Clone();
        tampered[index] ^= 0x01;
        Assert.True(StunMessage.TryParse(tampered, out StunMessage message));
        using var integrity = StunIntegrity.ForPassword(Password);
        Assert.False(integrity.Verify(message));
        Assert.False(StunIntegrity.VerifyFingerprint(message));
    }

    [Fact]
    public void Malformed_messages_do_not_parse()
    {
        Assert.False(StunMessage.TryParse(Rfc5769Request.AsSpan(0, 19), out _)); // shorter than a header
        Assert.False(StunMessage.TryParse(Rfc5769Request.AsSpan(0, 100), out _)); // length field says 108
        byte[] badCookie = (byte[])Rfc5769Request.Clone();
        badCookie[4] = 0;
        Assert.False(StunMessage.TryParse(badCookie, out _));
        byte[] overrun = (byte[])Rfc5769Request.Clone();
        overrun[23] = 0xFF; // SOFTWARE claims 255 bytes
        Assert.False(StunMessage.TryParse(overrun, out _));
        byte[] afterFingerprint = new byte[Rfc5769Request.Length + 8];
        Rfc5769Request.CopyTo(afterFingerprint, 0);
        afterFingerprint[3] += 8; // a PRIORITY after FINGERPRINT
        afterFingerprint[Rfc5769Request.Length + 1] = 0x24;
        afterFingerprint[Rfc5769Request.Length + 3] = 4;
        Assert.False(StunMessage.TryParse(afterFingerprint, out _));
    }
}
