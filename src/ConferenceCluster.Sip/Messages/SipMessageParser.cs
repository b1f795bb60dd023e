using System.Text;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Parsing;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Messages;

/// <summary>
/// Parses one SIP message from bytes (RFC 3261 7, 18.3, 20, 25). Never throws on bad input: the
/// result says what was wrong and whether to answer 400/505 or drop. Work is linear in the input and
/// bounded by <see cref="SipParserOptions"/>.
/// </summary>
public static class SipMessageParser
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    public static SipParseResult Parse(ReadOnlyMemory<byte> data, SipTransportKind transport = SipTransportKind.Datagram,
        SipParserOptions? options = null) => Parse(data.Span, transport, options);

    public static SipParseResult Parse(ReadOnlySpan<byte> data, SipTransportKind transport = SipTransportKind.Datagram,
        SipParserOptions? options = null)
    {
        options ??= SipParserOptions.Default;
        var stream = transport == SipTransportKind.Stream;

        // RFC 3261 7.5: CRLFs before the start line are ignored (they are also RFC 5626 keep-alives).
        var start = SkipLeadingLineBreaks(data);
        if (start == data.Length)
        {
            return stream
                ? SipParseResult.NeedMore(start)
                : SipParseResult.Dropped(SipParseError.Empty, "datagram holds no message", data.Length, false);
        }
        if (!stream && data.Length > options.MaxMessageSize)
        {
            return SipParseResult.Dropped(SipParseError.MessageTooLarge, $"datagram is larger than {options.MaxMessageSize} bytes", data.Length, false);
        }

        var state = new ParseState(options, stream);
        var scan = ScanHeaderSection(data, start, state, out var bodyStart);
        if (scan == ScanOutcome.Incomplete) return SipParseResult.NeedMore(start);
        if (state.Fatal) return SipParseResult.Dropped(state.Error, state.Detail!, data.Length, stream);

        if (!TryFrameBody(data, start, bodyStart, state, out var bodyLength, out var consumed))
        {
            return SipParseResult.NeedMore(start);
        }
        if (state.Fatal) return SipParseResult.Dropped(state.Error, state.Detail!, data.Length, stream);
        if (!stream) consumed = data.Length;

        var typed = ValidateHeaders(state);
        return Decide(data, bodyStart, bodyLength, consumed, state, typed);
    }

    private static int SkipLeadingLineBreaks(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && (data[i] == CR || data[i] == LF)) i++;
        return i;
    }

    private enum ScanOutcome { Complete, Incomplete }

    /// <summary>
    /// Reads the start line and the header lines up to the empty line, unfolding continuation lines
    /// (RFC 3261 7.3.1). Accepts bare LF as a line end, as many stacks do.
    /// </summary>
    private static ScanOutcome ScanHeaderSection(ReadOnlySpan<byte> data, int start, ParseState state, out int bodyStart)
    {
        bodyStart = data.Length;
        var pos = start;
        if (!TryReadLine(data, pos, out var lineEnd, out var next))
        {
            if (state.Stream && !ExceedsLimits(data, start, pos, lineEnd, state)) return ScanOutcome.Incomplete;
            if (state.Fatal) return ScanOutcome.Complete;
        }
        if (lineEnd - pos > state.Options.MaxLineLength)
        {
            state.SetFatal(SipParseError.LineTooLong, "start line is longer than the limit");
            return ScanOutcome.Complete;
        }
        ParseStartLine(data[pos..lineEnd], state);
        pos = next;

        var headerStart = -1;
        var headerEnd = -1;
        var folded = false;
        while (!state.Fatal)
        {
            var complete = TryReadLine(data, pos, out lineEnd, out next);
            if (!complete && state.Stream)
            {
                return ExceedsLimits(data, start, pos, lineEnd, state) ? ScanOutcome.Complete : ScanOutcome.Incomplete;
            }
            if (lineEnd - pos > state.Options.MaxLineLength)
            {
                state.SetFatal(SipParseError.LineTooLong, "header line is longer than the limit");
                break;
            }
            if (lineEnd == pos)
            {
                bodyStart = next; // the empty line ends the headers (RFC 3261 7)
                break;
            }
            if (data[pos] == (byte)' ' || data[pos] == (byte)'\t')
            {
                if (headerStart < 0)
                {
                    state.SetError(SipParseError.MalformedHeaderLine, "continuation line with no header before it", null);
                }
                else
                {
                    headerEnd = lineEnd;
                    folded = true;
                }
            }
            else
            {
                if (headerStart >= 0) AddHeader(data[headerStart..headerEnd], folded, state);
                headerStart = pos;
                headerEnd = lineEnd;
                folded = false;
            }
            pos = next;
            if (!complete)
            {
                // A datagram that just ends after a header line: lenient, read it as having no body.
                bodyStart = data.Length;
                break;
            }
        }
        if (headerStart >= 0 && !state.Fatal) AddHeader(data[headerStart..headerEnd], folded, state);
        return ScanOutcome.Complete;
    }

    /// <summary>For an incomplete stream message: true (and fatal) if waiting longer could only exceed a limit.</summary>
    private static bool ExceedsLimits(ReadOnlySpan<byte> data, int start, int lineStart, int lineEnd, ParseState state)
    {
        if (data.Length - start > state.Options.MaxMessageSize)
        {
            state.SetFatal(SipParseError.MessageTooLarge, "header section exceeds the message size limit");
            return true;
        }
        if (lineEnd - lineStart > state.Options.MaxLineLength)
        {
            state.SetFatal(SipParseError.LineTooLong, "line is longer than the limit");
            return true;
        }
        return false;
    }

    private static bool TryReadLine(ReadOnlySpan<byte> data, int pos, out int lineEnd, out int next)
    {
        var nl = pos < data.Length ? data[pos..].IndexOf(LF) : -1;
        if (nl < 0)
        {
            lineEnd = data.Length;
            if (lineEnd > pos && data[lineEnd - 1] == CR) lineEnd--;
            next = data.Length;
            return false;
        }
        lineEnd = pos + nl;
        next = lineEnd + 1;
        if (lineEnd > pos && data[lineEnd - 1] == CR) lineEnd--;
        return true;
    }

    private static void ParseStartLine(ReadOnlySpan<byte> line, ParseState state)
    {
        if (line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8))
        {
            state.IsResponse = true;
            ParseStatusLine(line, state);
        }
        else
        {
            ParseRequestLine(line, state);
        }
    }

    /// <summary>Request-Line = Method SP Request-URI SP SIP-Version CRLF, single spaces only (RFC 3261 7.1; RFC 4475 3.1.2.8-3.1.2.10).</summary>
    private static void ParseRequestLine(ReadOnlySpan<byte> line, ParseState state)
    {
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
        {
            state.SetError(SipParseError.MalformedStartLine, "request line has no method or Request-URI", null);
            return;
        }
        var method = line[..sp1];
        foreach (var b in method)
        {
            if (!SipSyntax.IsTokenByte(b))
            {
                state.SetError(SipParseError.MalformedStartLine, "method is not a token", null);
                return;
            }
        }
        state.Method = SipMethods.Intern(method);

        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0)
        {
            state.SetError(SipParseError.MalformedStartLine, "Request-URI is missing or surrounded by more than one SP", null);
            return;
        }
        var version = rest[(sp2 + 1)..];
        if (version.IsEmpty || version.IndexOfAny((byte)' ', (byte)'\t') >= 0)
        {
            state.SetError(SipParseError.MalformedStartLine, "request line has extra whitespace or fields", null);
            return;
        }
        if (!CheckVersion(version, state)) return;

        var uriText = Encoding.UTF8.GetString(rest[..sp2]);
        if (!SipUri.TryParse(uriText, out var uri, out var uriError))
        {
            state.SetError(SipParseError.InvalidRequestUri, "Request-URI: " + uriError, null);
            return;
        }
        if (uri!.IsSip && uri.Headers.Count > 0)
        {
            // RFC 3261 19.1.1: headers are not allowed in a Request-URI (RFC 4475 3.1.2.11).
            state.SetError(SipParseError.InvalidRequestUri, "Request-URI carries URI headers", null);
            return;
        }
        state.RequestUri = uri;
    }

    private static bool CheckVersion(ReadOnlySpan<byte> version, ParseState state)
    {
        if (Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8)) return true;
        // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT: well-formed but foreign gets 505 (RFC 4475 3.1.2.16)
        if (IsVersionShaped(version))
        {
            state.SetError(SipParseError.UnsupportedVersion, "SIP version " + Encoding.ASCII.GetString(version) + " is not supported", null);
        }
        else
        {
            state.SetError(SipParseError.MalformedStartLine, "SIP version is malformed", null);
        }
        return false;
    }

    private static bool IsVersionShaped(ReadOnlySpan<byte> v)
    {
        if (v.Length < 7 || !Ascii.EqualsIgnoreCase(v[..4], "SIP/"u8)) return false;
        var digits = v[4..];
        var dot = digits.IndexOf((byte)'.');
        if (dot <= 0 || dot == digits.Length - 1) return false;
        foreach (var b in digits)
        {
            if (b != '.' && (b < '0' || b > '9')) return false;
        }
        return digits[(dot + 1)..].IndexOf((byte)'.') < 0;
    }

    /// <summary>Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (RFC 3261 7.2).</summary>
    private static void ParseStatusLine(ReadOnlySpan<byte> line, ParseState state)
    {
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 < 0)
        {
            state.SetError(SipParseError.MalformedStartLine, "status line has no status code", null);
            return;
        }
        if (!CheckVersion(line[..sp1], state)) return;
        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        var code = sp2 >= 0 ? rest[..sp2] : rest;
        if (code.Length != 3 || !IsDigits(code) || code[0] < '1' || code[0] > '6')
        {
            state.SetError(SipParseError.InvalidStatusCode, "status code is not three digits from 100 to 699", null);
            return;
        }
        state.StatusCode = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        // An empty Reason-Phrase is legal (RFC 4475 3.1.1.13); we also accept a missing final SP.
        state.ReasonPhrase = sp2 >= 0 ? Encoding.UTF8.GetString(rest[(sp2 + 1)..]) : string.Empty;
    }

    private static bool IsDigits(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (b < '0' || b > '9') return false;
        }
        return true;
    }

    /// <summary>
    /// message-header = field-name HCOLON field-value, HCOLON = *( SP / HTAB ) ":" SWS (RFC 3261 25.1).
    /// Folding becomes whitespace; list headers are split at top-level commas.
    /// </summary>
    private static void AddHeader(ReadOnlySpan<byte> raw, bool folded, ParseState state)
    {
        var colon = raw.IndexOf((byte)':');
        var name = colon > 0 ? raw[..colon].TrimEnd(" \t"u8) : default;
        if (name.IsEmpty || !IsTokenBytes(name))
        {
            state.SetError(SipParseError.MalformedHeaderLine, "header line has no valid name followed by ':'", null);
            return;
        }
        var canonical = SipHeaderNames.Canonicalize(name);
        var value = DecodeValue(raw[(colon + 1)..], folded);

        if (value.Length > 0 && SipHeaderNames.IsListHeader(canonical) && value.Contains(','))
        {
            var parts = state.SplitBuffer;
            parts.Clear();
            SipSyntax.SplitTopLevelCommas(value, parts);
            foreach (var part in parts) AddField(canonical, part, state);
        }
        else
        {
            AddField(canonical, value, state);
        }
    }

    private static void AddField(string name, string value, ParseState state)
    {
        if (state.Headers.Count >= state.Options.MaxHeaderCount)
        {
            state.SetFatal(SipParseError.TooManyHeaders, $"more than {state.Options.MaxHeaderCount} header values");
            return;
        }
        state.Headers.AddCanonical(name, value);
    }

    private static bool IsTokenBytes(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!SipSyntax.IsTokenByte(b)) return false;
        }
        return true;
    }

    private static string DecodeValue(ReadOnlySpan<byte> value, bool folded)
    {
        if (!folded) return Encoding.UTF8.GetString(value.Trim(" \t"u8));
        // Unfold: drop the CRLF of each continuation and keep its leading whitespace (RFC 3261 7.3.1).
        var buffer = value.Length <= 1024 ? stackalloc byte[value.Length] : new byte[value.Length];
        var n = 0;
        foreach (var b in value)
        {
            if (b != CR && b != LF) buffer[n++] = b;
        }
        return Encoding.UTF8.GetString(buffer[..n].Trim(" \t"u8));
    }

    /// <summary>
    /// Body framing by Content-Length (RFC 3261 18.3, 20.14). Returns false when a stream needs more bytes.
    /// </summary>
    private static bool TryFrameBody(ReadOnlySpan<byte> data, int start, int bodyStart, ParseState state, out int bodyLength, out int consumed)
    {
        bodyLength = 0;
        consumed = bodyStart;
        var available = data.Length - bodyStart;
        var count = state.Headers.CountOf(SipHeaderNames.ContentLength);
        if (count > 1)
        {
            // RFC 4475 3.3.9: no way to know how long the body is.
            state.SetError(SipParseError.DuplicateHeader, "Content-Length appears more than once", SipHeaderNames.ContentLength);
            state.FramingLost = state.Stream;
            return true;
        }
        if (count == 0)
        {
            if (state.Stream)
            {
                state.SetError(SipParseError.MissingContentLength, "Content-Length is required on stream transports", SipHeaderNames.ContentLength);
                state.FramingLost = true;
                return true;
            }
            bodyLength = available; // UDP: the body runs to the end of the datagram
            return true;
        }

        var text = state.Headers.GetFirst(SipHeaderNames.ContentLength)!;
        if (!SipSyntax.TryParseUInt(text.AsSpan(), int.MaxValue, out var declared))
        {
            state.SetError(SipParseError.InvalidContentLength, $"Content-Length '{Truncate(text)}' is not a non-negative number", SipHeaderNames.ContentLength);
            state.FramingLost = state.Stream;
            return true;
        }
        var length = (int)declared;
        if (state.Stream && (long)bodyStart - start + length > state.Options.MaxMessageSize)
        {
            state.SetFatal(SipParseError.MessageTooLarge, $"Content-Length {length} makes the message exceed {state.Options.MaxMessageSize} bytes");
            return true;
        }
        if (available < length)
        {
            if (state.Stream) return false;
            // RFC 4475 3.1.2.2: a datagram shorter than Content-Length is answered with 400.
            state.SetError(SipParseError.BodyTruncated, $"Content-Length is {length} but only {available} body bytes arrived", SipHeaderNames.ContentLength);
            bodyLength = available;
            return true;
        }
        // Extra datagram bytes after the body are discarded (RFC 3261 18.3; RFC 4475 3.1.1.8).
        bodyLength = length;
        consumed = bodyStart + length;
        return true;
    }

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "...";

    /// <summary>
    /// Checks the headers every transaction needs (RFC 3261 8.1.1, 8.2.2) and builds their typed views.
    /// Records the first problem in <paramref name="state"/>.
    /// </summary>
    private static TypedHeaders ValidateHeaders(ParseState state)
    {
        var headers = state.Headers;
        var vias = new List<SipVia>(2);
        var contacts = new List<SipNameAddress>(1);
        List<SipNameAddress>? routes = null, recordRoutes = null;
        SipNameAddress? from = null, to = null;
        SipCSeq? cseq = null;
        int? maxForwards = null;
        int fromCount = 0, toCount = 0, callIdCount = 0, cseqCount = 0, maxForwardsCount = 0, contentTypeCount = 0;
        string? error;

        foreach (var field in headers)
        {
            switch (field.Name)
            {
                case SipHeaderNames.Via:
                    if (SipVia.TryParse(field.Value, out var via, out error))
                    {
                        vias.Add(via!);
                    }
                    else
                    {
                        state.SetError(SipParseError.InvalidHeaderValue, error!, SipHeaderNames.Via);
                    }
                    break;
                case SipHeaderNames.From:
                    fromCount++;
                    if (ParseAddress(field, state, out var f)) from ??= f;
                    break;
                case SipHeaderNames.To:
                    toCount++;
                    if (ParseAddress(field, state, out var t)) to ??= t;
                    break;
                case SipHeaderNames.CallId:
                    callIdCount++;
                    if (!IsValidCallId(field.Value))
                    {
                        state.SetError(SipParseError.InvalidHeaderValue, "Call-ID is empty or contains whitespace", SipHeaderNames.CallId);
                    }
                    break;
                case SipHeaderNames.CSeq:
                    cseqCount++;
                    if (SipCSeq.TryParse(field.Value, out var c, out error)) cseq ??= c;
                    else state.SetError(SipParseError.InvalidHeaderValue, error!, SipHeaderNames.CSeq);
                    break;
                case SipHeaderNames.MaxForwards:
                    maxForwardsCount++;
                    if (SipSyntax.TryParseUInt(field.Value, 255, out var mf)) maxForwards ??= (int)mf;
                    else state.SetError(SipParseError.InvalidHeaderValue, "Max-Forwards is not a number from 0 to 255", SipHeaderNames.MaxForwards);
                    break;
                case SipHeaderNames.ContentType:
                    contentTypeCount++;
                    if (!IsMediaType(field.Value))
                    {
                        state.SetError(SipParseError.InvalidHeaderValue, "Content-Type is not type/subtype", SipHeaderNames.ContentType);
                    }
                    break;
                case SipHeaderNames.Contact:
                    if (field.Value == "*") break;
                    if (ParseAddress(field, state, out var contact)) contacts.Add(contact!);
                    break;
                case SipHeaderNames.Route:
                    if (ParseAddress(field, state, out var route)) (routes ??= new List<SipNameAddress>(2)).Add(route!);
                    break;
                case SipHeaderNames.RecordRoute:
                    if (ParseAddress(field, state, out var rr)) (recordRoutes ??= new List<SipNameAddress>(2)).Add(rr!);
                    break;
                case SipHeaderNames.Date:
                    // SIP-date is rfc1123-date, always in GMT (RFC 3261 20.17; RFC 4475 3.1.2.12).
                    if (!field.Value.EndsWith(" GMT", StringComparison.Ordinal))
                    {
                        state.SetError(SipParseError.InvalidHeaderValue, "Date is not an RFC 1123 date in GMT", SipHeaderNames.Date);
                    }
                    break;
            }
        }

        if (headers.IndexOf(SipHeaderNames.Via) < 0)
        {
            state.NoVia = true;
            state.SetError(SipParseError.MissingHeader, "Via is missing", SipHeaderNames.Via);
        }
        RequireSingle(state, SipHeaderNames.From, fromCount);
        RequireSingle(state, SipHeaderNames.To, toCount);
        RequireSingle(state, SipHeaderNames.CallId, callIdCount);
        RequireSingle(state, SipHeaderNames.CSeq, cseqCount);
        AllowAtMostOne(state, SipHeaderNames.MaxForwards, maxForwardsCount);
        AllowAtMostOne(state, SipHeaderNames.ContentType, contentTypeCount);

        if (!state.IsResponse && cseq is { } seq && state.Method is not null && !string.Equals(seq.Method, state.Method, StringComparison.Ordinal))
        {
            state.SetError(SipParseError.CSeqMethodMismatch, $"CSeq method {seq.Method} does not match {state.Method}", SipHeaderNames.CSeq);
        }

        return new TypedHeaders
        {
            Version = headers.Version,
            Vias = vias,
            From = from,
            To = to,
            CSeq = cseq,
            MaxForwards = maxForwards,
            Contacts = contacts,
            Routes = (IReadOnlyList<SipNameAddress>?)routes ?? Array.Empty<SipNameAddress>(),
            RecordRoutes = (IReadOnlyList<SipNameAddress>?)recordRoutes ?? Array.Empty<SipNameAddress>(),
        };
    }

    private static bool ParseAddress(SipHeaderField field, ParseState state, out SipNameAddress? address)
    {
        if (SipNameAddress.TryParse(field.Value, out address, out var error)) return true;
        state.SetError(SipParseError.InvalidHeaderValue, $"{field.Name}: {error}", field.Name);
        return false;
    }

    private static void RequireSingle(ParseState state, string name, int count)
    {
        if (count == 0) state.SetError(SipParseError.MissingHeader, name + " is missing", name);
        else AllowAtMostOne(state, name, count);
    }

    private static void AllowAtMostOne(ParseState state, string name, int count)
    {
        if (count > 1) state.SetError(SipParseError.DuplicateHeader, name + " appears more than once", name);
    }

    // callid = word [ "@" word ]: never empty, never whitespace.
    private static bool IsValidCallId(string value) =>
        value.Length > 0 && value.AsSpan().IndexOfAny(" \t") < 0;

    private static bool IsMediaType(string value)
    {
        var slash = value.IndexOf('/');
        return slash > 0 && slash < value.Length - 1;
    }

    private static SipParseResult Decide(ReadOnlySpan<byte> data, int bodyStart, int bodyLength, int consumed, ParseState state, TypedHeaders typed)
    {
        if (state.Error != SipParseError.None)
        {
            // Responses are never answered (RFC 3261 18.1.2). A request without any Via cannot be answered
            // either: the client could not match a response to its transaction (RFC 3261 17.1.3, 18.2.2).
            if (state.IsResponse || state.NoVia)
            {
                return SipParseResult.Dropped(state.Error, state.Detail!, consumed, state.FramingLost, state.HeaderName);
            }
            var code = state.Error == SipParseError.UnsupportedVersion ? 505 : 400;
            return SipParseResult.Respond(code, state.Error, state.Detail!, state.HeaderName, consumed, state.FramingLost,
                state.Headers, state.Method);
        }

        SipMessage message = state.IsResponse
            ? new SipResponse(state.StatusCode, state.ReasonPhrase, state.Headers)
            : new SipRequest(state.Method!, state.RequestUri!, state.Headers);
        if (bodyLength > 0) message.Body = data.Slice(bodyStart, bodyLength).ToArray();
        message.SetValidatedHeaders(typed);
        return SipParseResult.Ok(message, consumed);
    }

    /// <summary>Everything learned while parsing one message; the first error found is kept.</summary>
    private sealed class ParseState(SipParserOptions options, bool stream)
    {
        public SipParserOptions Options { get; } = options;
        public bool Stream { get; } = stream;
        public SipHeaderCollection Headers { get; } = new();
        public List<string> SplitBuffer => _split ??= new List<string>(4);
        private List<string>? _split;

        public bool IsResponse;
        public string? Method;
        public SipUri? RequestUri;
        public int StatusCode;
        public string ReasonPhrase = string.Empty;

        public SipParseError Error;
        public string? Detail;
        public string? HeaderName;
        public bool Fatal;
        public bool FramingLost;
        public bool NoVia;

        public void SetError(SipParseError error, string detail, string? headerName)
        {
            if (Error != SipParseError.None) return;
            Error = error;
            Detail = detail;
            HeaderName = headerName;
        }

        /// <summary>A limit was exceeded: the message is dropped whatever else is wrong with it.</summary>
        public void SetFatal(SipParseError error, string detail)
        {
            Fatal = true;
            FramingLost = Stream;
            Error = error;
            Detail = detail;
        }
    }
}
