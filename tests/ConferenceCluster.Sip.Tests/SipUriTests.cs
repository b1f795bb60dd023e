using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Tests;

public class SipUriTests
{
    [Theory]
    [InlineData("sip:alice@atlanta.com", "sip", "alice", null, "atlanta.com", null)]
    [InlineData("sip:alice:secretword@atlanta.com;transport=tcp", "sip", "alice", "secretword", "atlanta.com", null)]
    [InlineData("sips:alice@atlanta.com?subject=project%20x&priority=urgent", "sips", "alice", null, "atlanta.com", null)]
    [InlineData("sip:+1-212-555-1212:1234@gateway.com;user=phone", "sip", "+1-212-555-1212", "1234", "gateway.com", null)]
    [InlineData("sip:alice@192.0.2.4:5070", "sip", "alice", null, "192.0.2.4", 5070)]
    [InlineData("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", "sip", null, null, "atlanta.com", null)]
    [InlineData("sip:alice;day=tuesday@atlanta.com", "sip", "alice;day=tuesday", null, "atlanta.com", null)]
    [InlineData("SIP:bob@[2001:db8::10]:5060", "sip", "bob", null, "[2001:db8::10]", 5060)]
    public void Rfc3261_19_1_3_example_uris_parse(string text, string scheme, string? user, string? password, string host, int? port)
    {
        Assert.True(SipUri.TryParse(text, out var uri, out var error), error);
        Assert.Equal(scheme, uri!.Scheme);
        Assert.Equal(user, uri.User);
        Assert.Equal(password, uri.Password);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
    }

    [Fact]
    public void Rfc3261_19_1_1_parameters_and_headers_are_unescaped()
    {
        var uri = SipUri.ParseOrNull("sips:alice@atlanta.com;transport=TCP;lr?subject=project%20x&priority=urgent")!;
        Assert.Equal("TCP", uri.Transport);
        Assert.True(uri.IsLooseRouter);
        Assert.Equal("project x", uri.Headers.Get("subject"));
        Assert.Equal("urgent", uri.Headers.Get("priority"));
        Assert.Equal("sips:alice@atlanta.com;transport=TCP;lr?subject=project%20x&priority=urgent", uri.ToString());
    }

    [Theory]
    [InlineData("alice@atlanta.com")]
    [InlineData("sip:")]
    [InlineData("sip:@atlanta.com")]
    [InlineData("sip:alice@")]
    [InlineData("sip:alice@atlanta.com:")]
    [InlineData("sip:alice@atlanta.com:65536")]
    [InlineData("sip:alice@atlanta.com:12a")]
    [InlineData("sip:al ice@atlanta.com")]
    [InlineData("sip:alice%4@atlanta.com")]
    [InlineData("sip:alice%GG@atlanta.com")]
    [InlineData("sip:alice@atl anta.com")]
    [InlineData("sip:alice@[2001:db8::1")]
    [InlineData("sip:alice@atlanta.com;=x")]
    [InlineData("sip:alice@atlanta.com?noequals")]
    [InlineData("sip:<alice>@atlanta.com")]
    [InlineData("1sip:alice@atlanta.com")]
    [InlineData("tel:")]
    public void Rfc3261_25_1_invalid_uris_are_rejected_with_a_reason(string text)
    {
        Assert.False(SipUri.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Rfc3261_19_1_2_serialization_escapes_what_must_be_escaped()
    {
        var uri = SipUri.Create("example.com", user: "a b@c\u00e9", port: 5080);
        uri.Parameters.Add("x", "a;b");
        Assert.Equal("sip:a%20b%40c%C3%A9@example.com:5080;x=a%3Bb", uri.ToString());
        var back = SipUri.ParseOrNull(uri.ToString())!;
        Assert.Equal("a b@c\u00e9", back.User);
        Assert.Equal("a;b", back.Parameters.Get("x"));
    }

    // The equal and unequal pairs of RFC 3261 19.1.4.
    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true)]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true)]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on", true)]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on", true)]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true)]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true)]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", false)]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false)]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false)]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp", false)]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting", false)]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false)]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off", false)]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com", false)]
    public void Rfc3261_19_1_4_uri_comparison(string a, string b, bool equal)
    {
        var x = SipUri.ParseOrNull(a)!;
        var y = SipUri.ParseOrNull(b)!;
        Assert.Equal(equal, x.EquivalentTo(y));
        Assert.Equal(equal, y.EquivalentTo(x));
    }

    [Fact]
    public void Tel_and_other_schemes_are_opaque()
    {
        var uri = SipUri.ParseOrNull("tel:+358-555-1234567;postd=pp22")!;
        Assert.False(uri.IsSip);
        Assert.Equal("tel", uri.Scheme);
        Assert.Equal("+358-555-1234567;postd=pp22", uri.Opaque);
        Assert.Equal("tel:+358-555-1234567;postd=pp22", uri.ToString());
    }
}
