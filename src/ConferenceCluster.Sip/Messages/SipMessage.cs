using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Parsing;

namespace ConferenceCluster.Sip.Messages;

/// <summary>
/// A SIP request or response (RFC 3261 7). The header collection is the source of truth; the typed
/// properties parse it on first use and cache the result until the headers change. Messages from
/// <see cref="SipMessageParser"/> arrive with these views already validated and cached.
/// </summary>
public abstract class SipMessage
{
    private TypedHeaders? _typed;

    protected SipMessage(SipHeaderCollection? headers)
    {
        Headers = headers ?? new SipHeaderCollection();
    }

    public const string Version = "SIP/2.0";

    public SipHeaderCollection Headers { get; }

    /// <summary>The message body; the parser gives the message its own copy of the bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    public abstract bool IsRequest { get; }

    /// <summary>All Via values, topmost first.</summary>
    public IReadOnlyList<SipVia> Vias => Typed.Vias;

    public SipVia? TopVia => Typed.Vias.Count > 0 ? Typed.Vias[0] : null;

    public SipNameAddress? From => Typed.From;

    public SipNameAddress? To => Typed.To;

    public string? CallId => Headers.GetFirst(SipHeaderNames.CallId);

    public SipCSeq? CSeq => Typed.CSeq;

    public int? MaxForwards => Typed.MaxForwards;

    public string? ContentType => Headers.GetFirst(SipHeaderNames.ContentType);

    /// <summary>
    /// The Content-Length header as received, or null if absent or not a number. The parser has already
    /// framed <see cref="Body"/> by it; the serializer always writes the body's real length.
    /// </summary>
    public int? ContentLength =>
        SipSyntax.TryParseUInt(Headers.GetFirst(SipHeaderNames.ContentLength), int.MaxValue, out var length) ? (int)length : null;

    /// <summary>Contact values; empty for "Contact: *" (see <see cref="IsWildcardContact"/>).</summary>
    public IReadOnlyList<SipNameAddress> Contacts => Typed.Contacts;

    /// <summary>"Contact: *" of a REGISTER that removes all bindings (RFC 3261 10.2.2).</summary>
    public bool IsWildcardContact => Headers.GetFirst(SipHeaderNames.Contact)?.Trim() == "*";

    public IReadOnlyList<SipNameAddress> Routes => Typed.Routes;

    public IReadOnlyList<SipNameAddress> RecordRoutes => Typed.RecordRoutes;

    private TypedHeaders Typed
    {
        get
        {
            var typed = _typed;
            if (typed is null || typed.Version != Headers.Version)
            {
                typed = TypedHeaders.Parse(Headers);
                _typed = typed;
            }
            return typed;
        }
    }

    internal void SetValidatedHeaders(TypedHeaders typed) => _typed = typed;

    public override string ToString() => SipSerializer.SerializeToString(this);
}

/// <summary>Typed views of the headers the transaction and dialog layers read on every message.</summary>
internal sealed class TypedHeaders
{
    public required int Version { get; init; }
    public required IReadOnlyList<SipVia> Vias { get; init; }
    public SipNameAddress? From { get; init; }
    public SipNameAddress? To { get; init; }
    public SipCSeq? CSeq { get; init; }
    public int? MaxForwards { get; init; }
    public required IReadOnlyList<SipNameAddress> Contacts { get; init; }
    public required IReadOnlyList<SipNameAddress> Routes { get; init; }
    public required IReadOnlyList<SipNameAddress> RecordRoutes { get; init; }

    /// <summary>Lenient parse for messages built or edited in code: values that do not parse are left out.</summary>
    public static TypedHeaders Parse(SipHeaderCollection headers)
    {
        var vias = new List<SipVia>();
        var contacts = new List<SipNameAddress>();
        var routes = new List<SipNameAddress>();
        var recordRoutes = new List<SipNameAddress>();
        SipNameAddress? from = null, to = null;
        SipCSeq? cseq = null;
        int? maxForwards = null;
        foreach (var field in headers)
        {
            switch (field.Name)
            {
                case SipHeaderNames.Via when SipVia.TryParse(field.Value, out var via, out _):
                    vias.Add(via!);
                    break;
                case SipHeaderNames.From when from is null && SipNameAddress.TryParse(field.Value, out var f, out _):
                    from = f;
                    break;
                case SipHeaderNames.To when to is null && SipNameAddress.TryParse(field.Value, out var t, out _):
                    to = t;
                    break;
                case SipHeaderNames.CSeq when cseq is null && SipCSeq.TryParse(field.Value, out var c, out _):
                    cseq = c;
                    break;
                case SipHeaderNames.MaxForwards when maxForwards is null && SipSyntax.TryParseUInt(field.Value.AsSpan().Trim(), 255, out var mf):
                    maxForwards = (int)mf;
                    break;
                case SipHeaderNames.Contact when field.Value.Trim() != "*" && SipNameAddress.TryParse(field.Value, out var contact, out _):
                    contacts.Add(contact!);
                    break;
                case SipHeaderNames.Route when SipNameAddress.TryParse(field.Value, out var route, out _):
                    routes.Add(route!);
                    break;
                case SipHeaderNames.RecordRoute when SipNameAddress.TryParse(field.Value, out var rr, out _):
                    recordRoutes.Add(rr!);
                    break;
            }
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
            Routes = routes,
            RecordRoutes = recordRoutes,
        };
    }
}
