using System.Globalization;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.Dialogs;

/// <summary>
/// The state of one dialog (RFC 3261 12.1): identity, the parties, CSeq counters, the remote target and
/// the route set, and how to build a request inside it (12.2.1.1). Not thread-safe: its owner locks.
/// </summary>
internal sealed class SipDialog
{
    private readonly List<string> _routeSet;
    private uint _localSequence;

    private SipDialog(SipDialogId id, SipNameAddress localParty, SipNameAddress remoteParty, SipUri remoteTarget,
        List<string> routeSet, uint remoteSequence, SipPeer flow, uint localSequence = 0)
    {
        _localSequence = localSequence;
        Id = id;
        LocalParty = localParty;
        RemoteParty = remoteParty;
        RemoteTarget = remoteTarget;
        _routeSet = routeSet;
        RemoteSequence = remoteSequence;
        Flow = flow;
    }

    public SipDialogId Id { get; }

    /// <summary>Our URI and tag: the To of the INVITE plus our tag (12.1.1).</summary>
    public SipNameAddress LocalParty { get; }

    /// <summary>The peer's URI and tag: the From of the INVITE.</summary>
    public SipNameAddress RemoteParty { get; }

    /// <summary>The Contact of the peer's last target-refresh request or response (12.2.1.2, 12.2.2).</summary>
    public SipUri RemoteTarget { get; private set; }

    public IReadOnlyList<string> RouteSet => _routeSet;

    /// <summary>The highest CSeq number received in the dialog (12.2.2).</summary>
    public uint RemoteSequence { get; private set; }

    /// <summary>The flow the dialog was created on; in-dialog requests reuse it when they go to the same place.</summary>
    public SipPeer Flow { get; }

    /// <summary>UAS side (12.1.1): the route set is the INVITE's Record-Route in order, the remote target its Contact.</summary>
    public static SipDialog CreateAsUas(SipRequest invite, string localTag, SipPeer flow)
    {
        var local = SipNameAddress.TryParse(invite.Headers.GetFirst(SipHeaderNames.To)!, out var to, out _) ? to! : new SipNameAddress(invite.RequestUri);
        local.Tag = localTag;
        var remote = invite.From!;
        var target = invite.Contacts.Count > 0 ? invite.Contacts[0].Uri : remote.Uri;
        var id = new SipDialogId(invite.CallId!, localTag, remote.Tag ?? string.Empty);
        return new SipDialog(id, local, remote, target, invite.Headers.GetAll(SipHeaderNames.RecordRoute),
            invite.CSeq!.Value.Number, flow);
    }

    /// <summary>
    /// UAC side (12.1.2): the route set is the 2xx's Record-Route in reverse order, the remote target its
    /// Contact, the local CSeq continues from the INVITE's, and the remote sequence is empty until the peer sends a request.
    /// </summary>
    public static SipDialog CreateAsUac(SipRequest invite, SipResponse response, SipPeer flow)
    {
        var local = invite.From!;
        var remote = response.To!;
        var target = response.Contacts.Count > 0 ? response.Contacts[0].Uri : invite.RequestUri;
        // The typed list splits comma-joined values, so the reversal is per route, not per header line.
        var routes = response.RecordRoutes.Select(r => r.ToString()).Reverse().ToList();
        var id = new SipDialogId(invite.CallId!, local.Tag ?? string.Empty, remote.Tag ?? string.Empty);
        return new SipDialog(id, local, remote, target, routes, 0, flow, invite.CSeq!.Value.Number);
    }

    /// <summary>
    /// 12.2.2: a request whose CSeq is not above the last one is out of order (answer 500); a higher
    /// one moves the counter. ACK and CANCEL reuse their INVITE's number and do not count.
    /// </summary>
    public bool AcceptRemoteSequence(SipRequest request)
    {
        if (request.CSeq is not { } cseq) return false;
        if (request.Method is SipMethods.Ack or SipMethods.Cancel) return true;
        if (cseq.Number <= RemoteSequence) return false;
        RemoteSequence = cseq.Number;
        return true;
    }

    /// <summary>A target refresh (re-INVITE, or a 2xx to ours) replaces the remote target with its Contact (12.2.1.2, 12.2.2).</summary>
    public void RefreshTarget(SipMessage message)
    {
        if (message.Contacts.Count > 0) RemoteTarget = message.Contacts[0].Uri;
    }

    /// <summary>The next CSeq number for a request we send (12.2.1.1: one more than the last; starting at 1).</summary>
    public uint NextLocalSequence() => ++_localSequence;

    /// <summary>
    /// Builds a request inside the dialog (12.2.1.1): To is the remote party with its tag, From us with
    /// ours, the Call-ID, the given CSeq, the route set as Route headers, and the Request-URI from the
    /// remote target (loose routing) or the first route (a strict router, 12.2.1.1's second case).
    /// </summary>
    public SipRequest CreateRequest(string method, uint sequence, string viaTransport, string viaHost, int viaPort, SipUri contact, string branch)
    {
        var requestUri = RemoteTarget;
        var routes = _routeSet;
        if (routes.Count > 0 && TryGetRouteUri(routes[0], out var first) && !first!.IsLooseRouter)
        {
            requestUri = first;
            routes = [.. routes.Skip(1), "<" + RemoteTarget + ">"];
        }
        var request = new SipRequest(method, requestUri);
        var headers = request.Headers;
        headers.Add(SipHeaderNames.Via, $"SIP/2.0/{viaTransport} {viaHost}:{viaPort.ToString(CultureInfo.InvariantCulture)};branch={branch};rport");
        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.From, LocalParty.ToString());
        headers.Add(SipHeaderNames.To, RemoteParty.ToString());
        headers.Add(SipHeaderNames.CallId, Id.CallId);
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(sequence, method).ToString());
        foreach (var route in routes) headers.Add(SipHeaderNames.Route, route);
        headers.Add(SipHeaderNames.Contact, "<" + contact + ">");
        return request;
    }

    /// <summary>The URI the request goes to first: the top Route, else the Request-URI (8.1.2, 12.2.1.1).</summary>
    public SipUri GetNextHopUri()
    {
        if (_routeSet.Count > 0 && TryGetRouteUri(_routeSet[0], out var first)) return first!;
        return RemoteTarget;
    }

    private static bool TryGetRouteUri(string route, out SipUri? uri)
    {
        uri = SipNameAddress.TryParse(route, out var address, out _) ? address!.Uri : null;
        return uri is not null;
    }
}
