using System.Buffers;
using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Tests;

public class SipResponseFactoryTests
{
    private static SipRequest NewInvite()
    {
        var request = new SipRequest(SipMethods.Invite, SipUri.Create("example.com", "bob"));
        request.Headers.Add("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1;received=192.0.2.1");
        request.Headers.Add("Via", "SIP/2.0/UDP pc33.example.com;branch=z9hG4bKc1");
        request.Headers.Add("Max-Forwards", "69");
        request.Headers.Add("From", "\"Alice\" <sip:alice@example.com>;tag=a1");
        request.Headers.Add("To", "<sip:bob@example.com>");
        request.Headers.Add("Call-ID", "c1@pc33");
        request.Headers.Add("CSeq", "7 INVITE");
        request.Headers.Add("Timestamp", "54");
        request.Headers.Add("Contact", "<sip:alice@pc33.example.com>");
        return request;
    }

    [Fact]
    public void Rfc3261_8_2_6_2_copies_via_from_to_callid_cseq_and_adds_to_tag()
    {
        var request = NewInvite();
        var response = SipResponseFactory.CreateResponse(request, 180, toTag: "b7");
        Assert.Equal(request.Headers.GetAll("Via"), response.Headers.GetAll("Via"));
        Assert.Equal(request.Headers.GetFirst("From"), response.Headers.GetFirst("From"));
        Assert.Equal("<sip:bob@example.com>;tag=b7", response.Headers.GetFirst("To"));
        Assert.Equal("b7", response.To!.Tag);
        Assert.Equal("c1@pc33", response.CallId);
        Assert.Equal(new SipCSeq(7, "INVITE"), response.CSeq);
        Assert.Equal("Ringing", response.ReasonPhrase);
        Assert.False(response.Headers.Contains("Contact"));
        Assert.False(response.Headers.Contains("Max-Forwards"));
        Assert.False(response.Headers.Contains("Timestamp"));
    }

    [Fact]
    public void Rfc3261_8_2_6_2_existing_to_tag_is_kept_and_a_missing_one_is_generated()
    {
        var request = NewInvite();
        request.Headers.Set("To", "<sip:bob@example.com>;tag=existing");
        Assert.Equal("existing", SipResponseFactory.CreateResponse(request, 200, toTag: "other").To!.Tag);

        var generated = SipResponseFactory.CreateResponse(NewInvite(), 486);
        Assert.False(string.IsNullOrEmpty(generated.To!.Tag));
    }

    [Fact]
    public void Rfc3261_8_2_6_1_trying_copies_timestamp_and_needs_no_tag()
    {
        var response = SipResponseFactory.CreateResponse(NewInvite(), 100, toTag: "ignored");
        Assert.Equal("54", response.Headers.GetFirst("Timestamp"));
        Assert.Null(response.To!.Tag);
    }

    [Fact]
    public void Rfc3261_20_33_retry_after_in_whole_seconds()
    {
        var response = SipResponseFactory.CreateResponse(NewInvite(), 503, retryAfter: TimeSpan.FromSeconds(29.2));
        Assert.Equal("30", response.Headers.GetFirst("Retry-After"));
        Assert.Equal("Service Unavailable", response.ReasonPhrase);
    }

    [Fact]
    public void Error_response_is_only_built_for_respond_results()
    {
        var dropped = SipMessageParser.Parse("SIP/2.0 999 Nope\r\n\r\n"u8);
        Assert.Null(SipResponseFactory.CreateErrorResponse(dropped));
    }

    [Fact]
    public void Rfc3261_7_canonical_serialization_uses_long_names_and_computes_content_length()
    {
        var text = "OPTIONS sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\nt: <sip:bob@example.com>\r\n" +
                   "f: <sip:a@example.com>;tag=1\r\ni: abc\r\nCSeq: 1 OPTIONS\r\nl: 99\r\nMax-Forwards: 70\r\n\r\n";
        var result = SipMessageParser.Parse(Encoding.UTF8.GetBytes(text));
        // datagram shorter than Content-Length: refused; fix it and serialize
        Assert.Equal(SipParseError.BodyTruncated, result.Error);
        var request = Assert.IsType<SipRequest>(SipMessageParser.Parse(Encoding.UTF8.GetBytes(text.Replace("l: 99", "l: 0"))).Message);
        request.Body = "hello"u8.ToArray();
        var expected = "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nTo: <sip:bob@example.com>\r\n" +
                       "From: <sip:a@example.com>;tag=1\r\nCall-ID: abc\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 5\r\n\r\nhello";
        Assert.Equal(expected, Encoding.UTF8.GetString(SipSerializer.Serialize(request)));

        var writer = new ArrayBufferWriter<byte>();
        SipSerializer.Write(request, writer);
        Assert.Equal(expected, Encoding.UTF8.GetString(writer.WrittenSpan));
        Assert.Equal(expected, request.ToString());
    }

    [Fact]
    public void Typed_headers_render_canonically()
    {
        var to = new SipNameAddress(SipUri.Create("example.com", "bob"), "Bob \"B\" Smith") { Tag = "x1" };
        Assert.Equal("\"Bob \\\"B\\\" Smith\" <sip:bob@example.com>;tag=x1", to.ToString());
        var via = new SipVia("UDP", "10.0.0.1", 5060, "z9hG4bKabc");
        via.Parameters.Add("rport");
        Assert.Equal("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport", via.ToString());
        Assert.True(SipVia.TryParse(via.ToString(), out var back, out _));
        Assert.True(back!.HasRport);
    }
}
