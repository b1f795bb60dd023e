using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Sdp;

namespace ConferenceCluster.Sip.Tests;

/// <summary>
/// RFC 4475 torture messages: valid ones parse (3.1.1, 3.2, 3.3, 3.4); invalid ones give the reaction
/// the RFC asks for (3.1.2): 400, 505, or silent discard for responses.
/// </summary>
public class TortureTests
{
    private static SipParseResult Parse(string name, SipTransportKind transport = SipTransportKind.Datagram) =>
        SipMessageParser.Parse(TortureMessages.Load(name), transport);

    private static SipRequest ParseRequest(string name)
    {
        var result = Parse(name);
        Assert.True(result.IsSuccess, result.ToString());
        return Assert.IsType<SipRequest>(result.Message);
    }

    private static SipResponse ParseResponse(string name)
    {
        var result = Parse(name);
        Assert.True(result.IsSuccess, result.ToString());
        return Assert.IsType<SipResponse>(result.Message);
    }

    // The reaction RFC 4475 gives for every message in Torture/.
    public static TheoryData<string, SipParseStatus, int> Expectations => new()
    {
        // 3.1.1 valid messages
        { "wsinv", SipParseStatus.Success, 0 },
        { "intmeth", SipParseStatus.Success, 0 },
        { "esc01", SipParseStatus.Success, 0 },
        { "escnull", SipParseStatus.Success, 0 },
        { "esc02", SipParseStatus.Success, 0 },
        { "lwsdisp", SipParseStatus.Success, 0 },
        { "longreq", SipParseStatus.Success, 0 },
        { "dblreq", SipParseStatus.Success, 0 },
        { "semiuri", SipParseStatus.Success, 0 },
        { "transports", SipParseStatus.Success, 0 },
        { "mpart01", SipParseStatus.Success, 0 },
        { "unreason", SipParseStatus.Success, 0 },
        { "noreason", SipParseStatus.Success, 0 },
        // 3.1.2 invalid messages
        { "badinv01", SipParseStatus.RespondWithError, 400 },
        { "clerr", SipParseStatus.RespondWithError, 400 },
        { "ncl", SipParseStatus.RespondWithError, 400 },
        { "scalar02", SipParseStatus.RespondWithError, 400 },
        { "scalarlg", SipParseStatus.Drop, 0 },
        { "quotbal", SipParseStatus.RespondWithError, 400 },
        { "ltgtruri", SipParseStatus.RespondWithError, 400 },
        { "lwsruri", SipParseStatus.RespondWithError, 400 },
        { "lwsstart", SipParseStatus.RespondWithError, 400 },
        { "trws", SipParseStatus.RespondWithError, 400 },
        { "escruri", SipParseStatus.RespondWithError, 400 },
        { "baddate", SipParseStatus.RespondWithError, 400 },
        { "regbadct", SipParseStatus.RespondWithError, 400 },
        { "badaspec", SipParseStatus.RespondWithError, 400 },
        { "baddn", SipParseStatus.RespondWithError, 400 },
        { "badvers", SipParseStatus.RespondWithError, 505 },
        { "mismatch01", SipParseStatus.RespondWithError, 400 },
        { "mismatch02", SipParseStatus.RespondWithError, 400 },
        { "bigcode", SipParseStatus.Drop, 0 },
        // 3.2 transaction layer: parses; the transaction layer treats the bare cookie as an RFC 2543 branch
        { "badbranch", SipParseStatus.Success, 0 },
        // 3.3 application layer: syntactically fine except insuf, multi01 and mcl01
        { "insuf", SipParseStatus.RespondWithError, 400 },
        { "unkscm", SipParseStatus.Success, 0 },
        { "novelsc", SipParseStatus.Success, 0 },
        { "unksm2", SipParseStatus.Success, 0 },
        { "bext01", SipParseStatus.Success, 0 },
        { "invut", SipParseStatus.Success, 0 },
        { "regaut01", SipParseStatus.Success, 0 },
        { "multi01", SipParseStatus.RespondWithError, 400 },
        { "mcl01", SipParseStatus.RespondWithError, 400 },
        { "bcast", SipParseStatus.Success, 0 },
        { "zeromf", SipParseStatus.Success, 0 },
        { "cparam01", SipParseStatus.Success, 0 },
        { "cparam02", SipParseStatus.Success, 0 },
        { "regescrt", SipParseStatus.Success, 0 },
        { "sdp01", SipParseStatus.Success, 0 },
        // 3.4 backward compatibility
        { "inv2543", SipParseStatus.Success, 0 },
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Rfc4475_message_gets_the_expected_reaction(string name, SipParseStatus status, int responseCode)
    {
        var result = Parse(name);
        Assert.True(status == result.Status, $"{name}: expected {status}, got {result}");
        Assert.Equal(responseCode, result.ResponseStatusCode);
        if (status != SipParseStatus.Success) Assert.False(string.IsNullOrEmpty(result.ErrorDetail));
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Rfc4475_valid_messages_parse_the_same_over_a_stream(string name, SipParseStatus status, int responseCode)
    {
        _ = responseCode;
        if (status != SipParseStatus.Success) return;
        var result = Parse(name, SipTransportKind.Stream);
        if (name == "inv2543")
        {
            // RFC 2543 allowed leaving out Content-Length; a stream cannot be framed without it (RFC 3261 18.3).
            Assert.Equal(SipParseError.MissingContentLength, result.Error);
            return;
        }
        Assert.True(result.IsSuccess, result.ToString());
        var datagram = Parse(name).Message!;
        Assert.Equal(SipSerializer.Serialize(datagram), SipSerializer.Serialize(result.Message!));
    }

    [Fact]
    public void Every_torture_file_has_an_expectation()
    {
        var expected = Expectations.Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(expected.OrderBy(n => n), TortureMessages.AllNames());
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Rfc4475_error_responses_copy_the_request_identity(string name, SipParseStatus status, int responseCode)
    {
        if (status != SipParseStatus.RespondWithError) return;
        var result = Parse(name);
        var response = SipResponseFactory.CreateErrorResponse(result, toTag: "t1");
        Assert.NotNull(response);
        Assert.Equal(responseCode, response.StatusCode);
        // RFC 3261 8.2.6.2: Via, From, Call-ID, CSeq are copied as received.
        Assert.Equal(result.RejectedRequestHeaders!.GetAll(SipHeaderNames.Via), response.Headers.GetAll(SipHeaderNames.Via));
        foreach (var header in new[] { SipHeaderNames.From, SipHeaderNames.CallId, SipHeaderNames.CSeq })
        {
            // single-valued: the first value only, even when the request repeated it (multi01)
            Assert.Equal(result.RejectedRequestHeaders.GetFirst(header), response.Headers.GetFirst(header));
            Assert.True(response.Headers.CountOf(header) <= 1);
        }
        // and the response itself is well-formed
        var reparsed = SipMessageParser.Parse(SipSerializer.Serialize(response));
        Assert.True(reparsed.Status is SipParseStatus.Success or SipParseStatus.Drop, reparsed.ToString());
    }

    [Fact]
    public void Rfc4475_3_1_1_1_wsinv_unfolds_and_reads_every_header()
    {
        var request = ParseRequest("wsinv");
        Assert.Equal("INVITE", request.Method);
        Assert.True(request.RequestUri.Parameters.Contains("unknownparam"));
        Assert.Equal("1918181833n", request.To!.Tag);
        Assert.Equal("J Rosenberg \\\"", request.From!.DisplayName);
        Assert.Equal("98asjd8", request.From.Tag);
        Assert.Equal(68, request.MaxForwards);
        Assert.Equal(new SipCSeq(9, "INVITE"), request.CSeq);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", request.CallId);

        Assert.Equal(3, request.Vias.Count);
        Assert.Equal("UDP", request.Vias[0].Transport);
        Assert.Equal("192.0.2.2", request.Vias[0].Host);
        Assert.True(request.Vias[0].HasRport);
        Assert.Null(request.Vias[0].Rport);
        Assert.Equal("390skdjuw", request.Vias[0].Branch);
        Assert.Equal("TCP", request.Vias[1].Transport);
        Assert.Equal("spindle.example.com", request.Vias[1].Host);
        Assert.Equal("z9hG4bK9ikj8", request.Vias[1].Branch);
        Assert.Equal("192.168.255.111", request.Vias[2].Host);
        Assert.Equal("z9hG4bK30239", request.Vias[2].Branch);

        Assert.Equal("", request.Headers.GetFirst("Subject"));
        Assert.Equal("newfangled value continued newfangled value", request.Headers.GetFirst("newfangledheader"));
        Assert.Equal(";;,,;;,;", request.Headers.GetFirst("UnknownHeaderWithUnusualValue"));
        var route = Assert.Single(request.Routes);
        Assert.True(route.Uri.IsLooseRouter);
        var contact = Assert.Single(request.Contacts);
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal("0.33", contact.Parameters.Get("q"));
        Assert.Equal(150, request.Body.Length);
        Assert.Equal("application/sdp", request.ContentType);
    }

    [Fact]
    public void Rfc4475_3_1_1_2_intmeth_accepts_every_token_character_and_quoted_controls()
    {
        var request = ParseRequest("intmeth");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", request.Method);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", request.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", request.RequestUri.Password);
        Assert.Equal("BEL:\a NUL:\0 DEL:\u007f", request.To!.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", request.From!.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", request.From.Tag);
        Assert.Equal("\"работающий\"", request.From.Parameters.Get("fromParam''~+*_!.-%"));
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", request.CallId);
        Assert.Equal("\uFEFF大停電", request.Headers.GetFirst("extensionHeader-!.%*+_`'~"));
        Assert.Equal("z9hG4bK-.!%66*_+`'~", request.TopVia!.Branch);
    }

    [Fact]
    public void Rfc4475_3_1_1_3_esc01_unescapes_uri_parts()
    {
        var request = ParseRequest("esc01");
        Assert.Equal("sips:user@example.com", request.RequestUri.User);
        Assert.Equal("example.net", request.RequestUri.Host);
        Assert.Equal("user", request.To!.Uri.User);
        Assert.Equal("I have spaces", request.From!.Uri.User);
        var contact = Assert.Single(request.Contacts).Uri;
        Assert.Equal("caller", contact.User);
        Assert.True(contact.IsLooseRouter); // ";%6C%72" is "lr"
        Assert.Equal("value%41", contact.Parameters.Get("name"));
        Assert.Equal("application/sdp", request.ContentType); // compact "C"
        Assert.Equal("sip:sips%3Auser%40example.com@example.net", request.RequestUri.ToString());
    }

    [Fact]
    public void Rfc4475_3_1_1_4_escnull_keeps_escaped_nul()
    {
        var request = ParseRequest("escnull");
        Assert.Equal("null-\0-null", request.To!.Uri.User);
        Assert.Equal(["\0", "\0\0"], request.Contacts.Select(c => c.Uri.User!));
        Assert.Equal("sip:null-%00-null@example.com", request.From!.Uri.ToString());
    }

    [Fact]
    public void Rfc4475_3_1_1_5_esc02_percent_in_method_and_display_name_is_not_an_escape()
    {
        var request = ParseRequest("esc02");
        Assert.Equal("RE%47IST%45R", request.Method);
        Assert.Equal("%Z%45", request.To!.DisplayName);
        Assert.Equal(3, request.Contacts.Count);
    }

    [Fact]
    public void Rfc4475_3_1_1_6_lwsdisp_display_name_without_whitespace_before_bracket()
    {
        var request = ParseRequest("lwsdisp");
        Assert.Equal("caller", request.From!.DisplayName);
        Assert.Equal("caller", request.From.Uri.User);
    }

    [Fact]
    public void Rfc4475_3_1_1_7_longreq_long_values_and_many_vias()
    {
        var request = ParseRequest("longreq");
        Assert.Equal(33, request.Vias.Count);
        Assert.Equal("sip33.example.com", request.TopVia!.Host);
        Assert.Equal("I have a user name of " + string.Concat(Enumerable.Repeat("extreme", 10)) + " proportion", request.To!.DisplayName);
        Assert.Equal(6000, request.To.Uri.Port);
        Assert.StartsWith("12982", request.From!.Tag);
        Assert.Equal(150, request.Body.Length);
    }

    [Fact]
    public void Rfc4475_3_1_1_8_dblreq_extra_datagram_octets_are_discarded()
    {
        var result = Parse("dblreq");
        var request = Assert.IsType<SipRequest>(result.Message);
        Assert.Equal("REGISTER", request.Method);
        Assert.True(request.Body.IsEmpty);
        Assert.Equal(TortureMessages.Load("dblreq").Length, result.BytesConsumed);
    }

    [Fact]
    public void Rfc4475_3_1_1_8_dblreq_on_a_stream_frames_two_messages()
    {
        var data = TortureMessages.Load("dblreq");
        var first = SipMessageParser.Parse(data, SipTransportKind.Stream);
        Assert.Equal("REGISTER", Assert.IsType<SipRequest>(first.Message).Method);
        var second = SipMessageParser.Parse(data.AsSpan(first.BytesConsumed), SipTransportKind.Stream);
        Assert.True(second.IsSuccess, second.ToString());
        var invite = Assert.IsType<SipRequest>(second.Message);
        Assert.Equal("INVITE", invite.Method);
        Assert.Equal(150, invite.Body.Length);
        Assert.Equal(data.Length - first.BytesConsumed, second.BytesConsumed);
    }

    [Fact]
    public void Rfc4475_3_1_1_9_semiuri_semicolon_in_user_part()
    {
        var request = ParseRequest("semiuri");
        Assert.Equal("user;par=u@example.net", request.RequestUri.User);
        Assert.Equal("example.com", request.RequestUri.Host);
        Assert.Empty(request.RequestUri.Parameters);
        Assert.Equal(6, request.Headers.CountOf("Accept")); // folded comma list
    }

    [Fact]
    public void Rfc4475_3_1_1_10_transports_unknown_transport_is_kept()
    {
        var request = ParseRequest("transports");
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], request.Vias.Select(v => v.Transport));
    }

    [Fact]
    public void Rfc4475_3_1_1_11_mpart01_binary_multipart_body_is_kept_byte_exact()
    {
        var request = ParseRequest("mpart01");
        var raw = TortureMessages.Load("mpart01");
        Assert.True(raw.AsSpan()[^request.Body.Length..].SequenceEqual(request.Body.Span));
        Assert.Equal("multipart/mixed;boundary=7a9cbec02ceef655", request.ContentType);
    }

    [Fact]
    public void Rfc4475_3_1_1_12_unreason_utf8_reason_phrase()
    {
        var response = ParseResponse("unreason");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", response.ReasonPhrase);
    }

    [Fact]
    public void Rfc4475_3_1_1_13_noreason_empty_reason_phrase()
    {
        var response = ParseResponse("noreason");
        Assert.Equal(100, response.StatusCode);
        Assert.Equal("", response.ReasonPhrase);
    }

    [Theory]
    [InlineData("badinv01", SipParseError.InvalidHeaderValue, "Via")]
    [InlineData("clerr", SipParseError.BodyTruncated, "Content-Length")]
    [InlineData("ncl", SipParseError.InvalidContentLength, "Content-Length")]
    [InlineData("scalar02", SipParseError.InvalidHeaderValue, "CSeq")]
    [InlineData("scalarlg", SipParseError.InvalidHeaderValue, "CSeq")]
    [InlineData("quotbal", SipParseError.InvalidHeaderValue, "To")]
    [InlineData("ltgtruri", SipParseError.InvalidRequestUri, null)]
    [InlineData("lwsruri", SipParseError.MalformedStartLine, null)]
    [InlineData("lwsstart", SipParseError.MalformedStartLine, null)]
    [InlineData("trws", SipParseError.MalformedStartLine, null)]
    [InlineData("escruri", SipParseError.InvalidRequestUri, null)]
    [InlineData("baddate", SipParseError.InvalidHeaderValue, "Date")]
    [InlineData("regbadct", SipParseError.InvalidHeaderValue, "Contact")]
    [InlineData("badaspec", SipParseError.InvalidHeaderValue, "To")]
    [InlineData("baddn", SipParseError.InvalidHeaderValue, "From")]
    [InlineData("badvers", SipParseError.UnsupportedVersion, null)]
    [InlineData("mismatch01", SipParseError.CSeqMethodMismatch, "CSeq")]
    [InlineData("mismatch02", SipParseError.CSeqMethodMismatch, "CSeq")]
    [InlineData("bigcode", SipParseError.InvalidStatusCode, null)]
    [InlineData("insuf", SipParseError.MissingHeader, "From")]
    [InlineData("multi01", SipParseError.DuplicateHeader, "From")]
    [InlineData("mcl01", SipParseError.DuplicateHeader, "Content-Length")]
    public void Rfc4475_3_1_2_invalid_message_names_the_precise_error(string name, SipParseError error, string? header)
    {
        var result = Parse(name);
        Assert.True(error == result.Error, $"{name}: expected {error}, got {result}");
        Assert.Equal(header, result.HeaderName);
    }

    [Fact]
    public void Rfc4475_3_1_2_2_clerr_on_a_stream_waits_for_more_data()
    {
        var result = Parse("clerr", SipTransportKind.Stream);
        Assert.Equal(SipParseStatus.NeedMoreData, result.Status);
    }

    [Theory]
    [InlineData("ncl")]
    [InlineData("mcl01")]
    public void Rfc4475_unrecoverable_framing_on_a_stream_asks_to_close_the_connection(string name)
    {
        var result = Parse(name, SipTransportKind.Stream);
        Assert.Equal(SipParseStatus.RespondWithError, result.Status);
        Assert.True(result.FramingLost);
    }

    [Fact]
    public void Rfc4475_3_2_1_badbranch_bare_magic_cookie_is_not_an_rfc3261_branch()
    {
        var request = ParseRequest("badbranch");
        Assert.Equal("z9hG4bK", request.TopVia!.Branch);
        Assert.False(request.TopVia.HasRfc3261Branch);
    }

    [Fact]
    public void Rfc4475_3_3_2_and_3_3_3_foreign_request_uri_schemes_are_kept_opaque()
    {
        var unkscm = ParseRequest("unkscm").RequestUri;
        Assert.False(unkscm.IsSip);
        Assert.Equal("nobodyknowsthisscheme", unkscm.Scheme);
        Assert.Equal("totallyopaquecontent", unkscm.Opaque);
        var novelsc = ParseRequest("novelsc").RequestUri;
        Assert.Equal("soap.beep", novelsc.Scheme);
        Assert.Equal("//192.0.2.103:3002", novelsc.Opaque);
    }

    [Fact]
    public void Rfc4475_3_3_4_unksm2_foreign_schemes_in_headers()
    {
        var request = ParseRequest("unksm2");
        Assert.Equal("isbn", request.To!.Uri.Scheme);
        Assert.Equal("http", request.From!.Uri.Scheme);
        Assert.Equal("3234233", request.From.Tag);
        Assert.Equal("name", Assert.Single(request.Contacts).Uri.Scheme);
    }

    [Fact]
    public void Rfc4475_3_3_5_bext01_require_lists_split()
    {
        var request = ParseRequest("bext01");
        Assert.Equal(["noProxiesSupportThis", "nothingSupported"], request.Headers.GetAll("Proxy-Require"));
    }

    [Fact]
    public void Rfc4475_3_3_10_bcast_parses_both_vias()
    {
        var response = ParseResponse("bcast");
        Assert.Equal("255.255.255.255", response.Vias[1].Host);
    }

    [Fact]
    public void Rfc4475_3_3_11_zeromf_max_forwards_zero()
    {
        Assert.Equal(0, ParseRequest("zeromf").MaxForwards);
    }

    [Fact]
    public void Rfc4475_3_3_12_cparam01_unbracketed_contact_parameter_belongs_to_the_header()
    {
        var contact = Assert.Single(ParseRequest("cparam01").Contacts);
        Assert.True(contact.Parameters.Contains("unknownparam"));
        Assert.False(contact.Uri.Parameters.Contains("unknownparam"));
    }

    [Fact]
    public void Rfc4475_3_3_13_cparam02_bracketed_contact_parameter_belongs_to_the_uri()
    {
        var contact = Assert.Single(ParseRequest("cparam02").Contacts);
        Assert.False(contact.Parameters.Contains("unknownparam"));
        Assert.True(contact.Uri.Parameters.Contains("unknownparam"));
    }

    [Fact]
    public void Rfc4475_3_3_14_regescrt_escaped_uri_header_in_contact()
    {
        var contact = Assert.Single(ParseRequest("regescrt").Contacts);
        Assert.Equal("<sip:sip.example.com>", contact.Uri.Headers.Get("Route"));
    }

    [Fact]
    public void Rfc4475_3_3_15_sdp01_offer_is_answered_with_pcmu_and_video_rejected()
    {
        var request = ParseRequest("sdp01");
        Assert.True(SdpSessionDescription.TryParse(request.Body.Span, out var offer, out var error), error);
        var result = SdpOfferAnswer.CreateAudioAnswer(offer!, new SdpAudioOptions { LocalAddress = "198.51.100.7", LocalRtpPort = 40000 });
        Assert.True(result.IsSuccess);
        Assert.Equal(AudioCodec.Pcmu, result.Audio!.Codec);
        Assert.Equal(0, result.Answer!.Media[1].Port);
    }

    [Fact]
    public void Rfc4475_3_4_1_inv2543_rfc2543_request_without_branch_or_tags()
    {
        var request = ParseRequest("inv2543");
        Assert.Null(request.TopVia!.Branch);
        Assert.False(request.TopVia.HasRfc3261Branch);
        Assert.Null(request.To!.Tag);
        Assert.Null(request.MaxForwards);
        Assert.Equal("phone", request.To.Parameters.Get("user")); // unbracketed: header parameter
        Assert.Equal("phone", request.From!.Uri.Parameters.Get("user"));
        Assert.False(request.Body.IsEmpty);
    }

    [Fact]
    public void Valid_torture_messages_survive_a_serialize_parse_round_trip()
    {
        foreach (var name in Expectations.Where(r => (SipParseStatus)r[1] == SipParseStatus.Success).Select(r => (string)r[0]))
        {
            var first = Parse(name).Message!;
            var bytes = SipSerializer.Serialize(first);
            var second = SipMessageParser.Parse(bytes, SipTransportKind.Stream);
            Assert.True(second.IsSuccess, $"{name}: {second}\n{Encoding.UTF8.GetString(bytes)}");
            Assert.Equal(bytes.Length, second.BytesConsumed);
            // canonical form is a fixed point
            Assert.Equal(bytes, SipSerializer.Serialize(second.Message!));
            Assert.Equal(first.Headers.Count(h => h.Name != SipHeaderNames.ContentLength), second.Message!.Headers.Count(h => h.Name != SipHeaderNames.ContentLength));
            Assert.True(first.Body.Span.SequenceEqual(second.Message.Body.Span), name);
        }
    }
}
