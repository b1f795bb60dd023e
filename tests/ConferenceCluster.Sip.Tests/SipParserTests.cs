using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Tests;

public class SipParserTests
{
    private const string Invite =
        "INVITE sip:bob@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.9;rport=5070\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@example.com>\r\n" +
        "From: \"Alice, the caller\" <sip:alice@example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.example.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n" +
        "\r\n" +
        "v=0\n";

    private static SipParseResult Parse(string text, SipTransportKind transport = SipTransportKind.Datagram, SipParserOptions? options = null) =>
        SipMessageParser.Parse(Encoding.UTF8.GetBytes(text), transport, options);

    private static SipRequest ParseRequest(string text)
    {
        var result = Parse(text);
        Assert.True(result.IsSuccess, result.ToString());
        return Assert.IsType<SipRequest>(result.Message);
    }

    [Fact]
    public void Rfc3261_7_1_request_with_typed_headers()
    {
        var request = ParseRequest(Invite);
        Assert.Equal(SipMethods.Invite, request.Method);
        Assert.Equal("bob", request.RequestUri.User);
        var via = request.TopVia!;
        Assert.Equal("pc33.example.com", via.Host);
        Assert.Equal(5066, via.Port);
        Assert.Equal("z9hG4bK776asdhds", via.Branch);
        Assert.True(via.HasRfc3261Branch);
        Assert.Equal("192.0.2.9", via.Received);
        Assert.Equal(5070, via.Rport);
        Assert.Equal("Alice, the caller", request.From!.DisplayName);
        Assert.Equal("1928301774", request.From.Tag);
        Assert.Equal("Bob", request.To!.DisplayName);
        Assert.Null(request.To.Tag);
        Assert.Equal(new SipCSeq(314159, "INVITE"), request.CSeq);
        Assert.Equal(70, request.MaxForwards);
        Assert.Equal("v=0\n", Encoding.UTF8.GetString(request.Body.Span));
    }

    [Theory]
    [InlineData("i", "Call-ID")]
    [InlineData("m", "Contact")]
    [InlineData("f", "From")]
    [InlineData("t", "To")]
    [InlineData("v", "Via")]
    [InlineData("l", "Content-Length")]
    [InlineData("c", "Content-Type")]
    [InlineData("k", "Supported")]
    [InlineData("s", "Subject")]
    [InlineData("e", "Content-Encoding")]
    [InlineData("o", "Event")]
    [InlineData("u", "Allow-Events")]
    [InlineData("r", "Refer-To")]
    [InlineData("b", "Referred-By")]
    [InlineData("x", "Session-Expires")]
    [InlineData("cALL-iD", "Call-ID")]
    [InlineData("CONTENT-LENGTH", "Content-Length")]
    [InlineData("X-Custom", "X-Custom")]
    public void Rfc3261_7_3_3_compact_forms_and_case_map_to_canonical_names(string name, string canonical)
    {
        Assert.Equal(canonical, SipHeaderNames.Canonicalize(name));
        Assert.Equal(canonical, SipHeaderNames.Canonicalize(Encoding.ASCII.GetBytes(name)));
    }

    [Fact]
    public void Rfc3261_7_3_1_comma_lists_split_but_not_inside_quotes_or_brackets()
    {
        var request = ParseRequest(Invite.Replace("Contact: <sip:alice@pc33.example.com>\r\n",
            "Contact: \"A, B\" <sip:a,1@h>, <sip:b@h>;expires=60\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\nSupported: timer, 100rel\r\nX-List: a, b\r\n"));
        Assert.Equal(2, request.Contacts.Count);
        Assert.Equal("A, B", request.Contacts[0].DisplayName);
        Assert.Equal("a,1", request.Contacts[0].Uri.User);
        Assert.Equal("60", request.Contacts[1].Parameters.Get("expires"));
        Assert.Equal(["timer", "100rel"], request.Headers.GetAll("k"));
        // Date and unknown headers are not lists: their commas stay
        Assert.Equal("Sat, 13 Nov 2010 23:29:00 GMT", request.Headers.GetFirst("Date"));
        Assert.Equal("a, b", request.Headers.GetFirst("x-list"));
    }

    [Fact]
    public void Rfc3261_7_3_1_repeated_headers_keep_their_order()
    {
        var request = ParseRequest(Invite.Replace("Max-Forwards: 70\r\n",
            "Max-Forwards: 70\r\nRoute: <sip:p1.example.com;lr>\r\nRecord-Route: <sip:rr1;lr>, <sip:rr2;lr>\r\nRoute: <sip:p2.example.com;lr>\r\n"));
        Assert.Equal(["p1.example.com", "p2.example.com"], request.Routes.Select(r => r.Uri.Host));
        Assert.Equal(["rr1", "rr2"], request.RecordRoutes.Select(r => r.Uri.Host));
    }

    [Fact]
    public void Rfc3261_7_5_leading_crlf_is_ignored_and_bare_lf_is_tolerated()
    {
        var request = ParseRequest("\r\n\r\n" + Invite.Replace("\r\n", "\n").Replace("Content-Length: 4", "Content-Length: 4"));
        Assert.Equal("a84b4c76e66710@pc33.example.com", request.CallId);
    }

    [Fact]
    public void Rfc5626_keepalive_crlf_on_a_stream_is_consumed()
    {
        var result = Parse("\r\n\r\n", SipTransportKind.Stream);
        Assert.Equal(SipParseStatus.NeedMoreData, result.Status);
        Assert.Equal(4, result.BytesConsumed);
        Assert.Equal(SipParseStatus.Drop, Parse("\r\n\r\n").Status);
    }

    [Fact]
    public void Rfc3261_18_3_stream_needs_more_data_at_every_cut_point()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite);
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var result = SipMessageParser.Parse(bytes.AsSpan(0, cut), SipTransportKind.Stream);
            Assert.True(result.Status == SipParseStatus.NeedMoreData, $"cut {cut}: {result}");
        }
        var whole = SipMessageParser.Parse(bytes, SipTransportKind.Stream);
        Assert.True(whole.IsSuccess);
        Assert.Equal(bytes.Length, whole.BytesConsumed);
    }

    [Fact]
    public void Rfc3261_18_3_stream_without_content_length_is_refused_and_framing_is_lost()
    {
        var result = Parse(Invite.Replace("Content-Length: 4\r\n", ""), SipTransportKind.Stream);
        Assert.Equal(SipParseStatus.RespondWithError, result.Status);
        Assert.Equal(SipParseError.MissingContentLength, result.Error);
        Assert.True(result.FramingLost);
    }

    [Fact]
    public void Rfc3261_18_3_datagram_without_content_length_body_runs_to_the_end()
    {
        var request = ParseRequest(Invite.Replace("Content-Length: 4\r\n", "") + "more");
        Assert.Equal("v=0\nmore", Encoding.UTF8.GetString(request.Body.Span));
    }

    [Fact]
    public void Rfc3261_8_1_1_request_without_via_is_dropped()
    {
        var result = Parse(Invite.Replace("Via: SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.9;rport=5070\r\n", ""));
        Assert.Equal(SipParseStatus.Drop, result.Status);
        Assert.Equal(SipParseError.MissingHeader, result.Error);
    }

    [Theory]
    [InlineData("Max-Forwards: 70", "Max-Forwards: 256")]
    [InlineData("Max-Forwards: 70", "Max-Forwards: ten")]
    [InlineData("CSeq: 314159 INVITE", "CSeq: 2147483648 INVITE")]
    [InlineData("CSeq: 314159 INVITE", "CSeq: INVITE")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID: a b")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.example.com", "Call-ID:")]
    [InlineData("Content-Type: application/sdp", "Content-Type: sdp")]
    [InlineData("Contact: <sip:alice@pc33.example.com>", "Contact: <sip:alice@pc33.example.com")]
    [InlineData("Contact: <sip:alice@pc33.example.com>", "Contact: <sip:alice@pc33.example.com:99999>")]
    [InlineData("Contact: <sip:alice@pc33.example.com>", "Contact: <sip:al%2ice@pc33.example.com>")]
    [InlineData("Contact: <sip:alice@pc33.example.com>", "Contact no colon")]
    [InlineData("Contact: <sip:alice@pc33.example.com>", " continuation")]
    [InlineData("To: Bob <sip:bob@example.com>", "To: Bob <sip:bob@example.com>;tag")]
    [InlineData("To: Bob <sip:bob@example.com>", "To: Bob <sip:bob@example.com>;=x")]
    [InlineData("INVITE sip:bob@example.com SIP/2.0", "INVITE sip:bob@example.com SIP/2")]
    [InlineData("INVITE sip:bob@example.com SIP/2.0", "INVITE sip:bob@example.com")]
    [InlineData("INVITE sip:bob@example.com SIP/2.0", "INV(TE sip:bob@example.com SIP/2.0")]
    [InlineData("INVITE sip:bob@example.com SIP/2.0", "INVITE sip:@example.com SIP/2.0")]
    public void Rfc3261_malformed_request_is_answered_400(string original, string replacement)
    {
        Assert.Contains(original, Invite);
        var result = Parse(Invite.Replace(original, replacement));
        Assert.Equal(SipParseStatus.RespondWithError, result.Status);
        Assert.Equal(400, result.ResponseStatusCode);
    }

    [Fact]
    public void Rfc3261_7_3_1_a_line_starting_with_whitespace_before_any_header_is_an_error()
    {
        var result = Parse(Invite.Replace("INVITE sip:bob@example.com SIP/2.0\r\n", "INVITE sip:bob@example.com SIP/2.0\r\n folded\r\n"));
        Assert.Equal(SipParseError.MalformedHeaderLine, result.Error);
    }

    [Theory]
    [InlineData("SIP/2.0 200 OK")]
    [InlineData("SIP/2.0 180 Ringing")]
    [InlineData("sip/2.0 486 Busy Here")]
    [InlineData("SIP/2.0 699")]
    public void Rfc3261_7_2_status_lines_parse(string statusLine)
    {
        var result = Parse(statusLine + "\r\n" + Invite[(Invite.IndexOf('\n') + 1)..]);
        var response = Assert.IsType<SipResponse>(result.Message);
        Assert.Equal(int.Parse(statusLine.Split(' ')[1]), response.StatusCode);
    }

    [Theory]
    [InlineData("SIP/2.0 99 Low")]
    [InlineData("SIP/2.0 700 High")]
    [InlineData("SIP/2.0 2000 Long")]
    [InlineData("SIP/3.0 200 OK")]
    [InlineData("SIP/2.0")]
    public void Rfc3261_18_1_2_malformed_responses_are_dropped(string statusLine)
    {
        var result = Parse(statusLine + "\r\n" + Invite[(Invite.IndexOf('\n') + 1)..]);
        Assert.Equal(SipParseStatus.Drop, result.Status);
    }

    [Fact]
    public void Options_limit_line_length()
    {
        var options = new SipParserOptions { MaxLineLength = 100 };
        var result = Parse(Invite.Replace("Max-Forwards: 70", "X-Long: " + new string('a', 200) + "\r\nMax-Forwards: 70"), options: options);
        Assert.Equal(SipParseStatus.Drop, result.Status);
        Assert.Equal(SipParseError.LineTooLong, result.Error);

        // a stream that never ends its line is cut off at the limit instead of buffering forever
        var stream = Parse("INVITE sip:bob@example.com SIP/2.0\r\nX: " + new string('a', 200), SipTransportKind.Stream, options);
        Assert.Equal(SipParseError.LineTooLong, stream.Error);
        Assert.True(stream.FramingLost);
    }

    [Fact]
    public void Options_limit_header_count_including_comma_lists()
    {
        var options = new SipParserOptions { MaxHeaderCount = 20 };
        var result = Parse(Invite.Replace("Max-Forwards: 70", "Supported: " + string.Join(",", Enumerable.Range(0, 30).Select(i => "x" + i)) + "\r\nMax-Forwards: 70"), options: options);
        Assert.Equal(SipParseError.TooManyHeaders, result.Error);
        Assert.Equal(SipParseStatus.Drop, result.Status);
    }

    [Fact]
    public void Options_limit_message_size()
    {
        var options = new SipParserOptions { MaxMessageSize = 200 };
        Assert.Equal(SipParseError.MessageTooLarge, Parse(Invite, options: options).Error);
        var stream = Parse(Invite.Replace("Content-Length: 4", "Content-Length: 100000"), SipTransportKind.Stream);
        Assert.Equal(SipParseError.MessageTooLarge, stream.Error);
        Assert.True(stream.FramingLost);
    }

    [Fact]
    public void Rfc3261_20_42_via_with_ipv6_and_spaces_around_colon()
    {
        var request = ParseRequest(Invite.Replace("Via: SIP/2.0/UDP pc33.example.com:5066;", "Via: SIP/2.0/TLS [2001:db8::1] : 5061 ;"));
        Assert.Equal("[2001:db8::1]", request.TopVia!.Host);
        Assert.Equal(5061, request.TopVia.Port);
        Assert.Equal("TLS", request.TopVia.Transport);
    }

    [Fact]
    public void Rfc3261_20_10_contact_expires_and_q_typed_access()
    {
        var request = ParseRequest(Invite.Replace("Contact: <sip:alice@pc33.example.com>",
            "Contact: <sip:a@h>;expires=3600;q=0.7, <sip:b@h>;expires=280297596632815;q=2"));
        Assert.Equal(3600u, request.Contacts[0].Expires);
        Assert.Equal(0.7, request.Contacts[0].Q);
        Assert.Null(request.Contacts[1].Expires); // RFC 4475 3.1.2.4: overlarge, use the default
        Assert.Null(request.Contacts[1].Q);
        Assert.Equal(4, request.ContentLength);
    }

    [Fact]
    public void Rfc3581_4_received_and_rport_are_stamped_and_route_the_response()
    {
        var request = ParseRequest(Invite.Replace(";received=192.0.2.9;rport=5070", ";rport"));
        Assert.Equal(("pc33.example.com", 5066), request.TopVia!.GetResponseDestination());
        Assert.True(request.StampReceived("203.0.113.9", 40123));
        Assert.Equal("SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds;rport=40123;received=203.0.113.9",
            request.Headers.GetFirst("Via"));
        Assert.Equal(("203.0.113.9", 40123), request.TopVia!.GetResponseDestination());
    }

    [Fact]
    public void Rfc3261_18_2_1_received_is_added_only_when_sent_by_differs()
    {
        var request = ParseRequest(Invite.Replace("pc33.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.9;rport=5070", "192.0.2.33;branch=z9hG4bKx"));
        request.StampReceived("192.0.2.33", 5060);
        Assert.Null(request.TopVia!.Received);
        request.StampReceived("192.0.2.34", 5060);
        Assert.Equal("192.0.2.34", request.TopVia!.Received);
        Assert.Equal(("192.0.2.34", 5060), request.TopVia.GetResponseDestination());
    }

    [Fact]
    public void Parsed_body_is_a_copy_of_the_input()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite);
        var request = SipMessageParser.Parse(bytes).Message!;
        Array.Clear(bytes);
        Assert.Equal("v=0\n", Encoding.UTF8.GetString(request.Body.Span));
        Assert.Equal("bob", ((SipRequest)request).RequestUri.User);
    }

    [Fact]
    public void Typed_views_follow_header_edits()
    {
        var request = ParseRequest(Invite);
        request.Headers.AddFirst("v", "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKproxy");
        Assert.Equal("proxy.example.com", request.TopVia!.Host);
        Assert.Equal(2, request.Vias.Count);
        request.Headers.Set("To", "<sip:carol@example.com>;tag=abc");
        Assert.Equal("abc", request.To!.Tag);
    }
}
