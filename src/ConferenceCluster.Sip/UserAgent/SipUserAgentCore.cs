using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Sip.Dialogs;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transactions;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Sip.UserAgent;

/// <summary>
/// The UAS core (RFC 3261 8.2, 12.2.2, 13.3, 15): checks each new request, matches it to its call,
/// creates calls for INVITEs, answers OPTIONS, CANCEL and requests for unknown dialogs.
/// </summary>
internal sealed class SipUserAgentCore : ISipTransactionUser
{
    /// <summary>The methods we implement (the Allow header, RFC 3261 20.5).</summary>
    public const string AllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

    /// <summary>The bodies we understand (the Accept header, RFC 3261 20.1).</summary>
    public const string AcceptedContentTypes = "application/sdp, application/dtmf-relay, application/dtmf";

    private readonly ConcurrentDictionary<SipDialogId, SipCall> _calls = new();
    private readonly ConcurrentDictionary<(string CallId, string RemoteTag, uint Sequence), SipCall> _callsByInvite = new();
    private readonly SipEndpointOptions _options;
    private readonly string _supported;

    public SipUserAgentCore(SipEndpointOptions options, ISipCallHandler handler, SipTransport transport, SipTransactionLayer transactions,
        TimeProvider time, ILogger logger)
    {
        _options = options;
        _supported = string.Join(", ", options.SupportedExtensions);
        Handler = handler;
        Transport = transport;
        Transactions = transactions;
        Time = time;
        Logger = logger;
    }

    public ISipCallHandler Handler { get; }

    public SipEndpointOptions Options => _options;

    public SipTransport Transport { get; }

    public SipTransactionLayer Transactions { get; }

    public TimeProvider Time { get; }

    public SipTimerOptions Timers => Transactions.Timers;

    public ILogger Logger { get; }

    public ICollection<SipCall> Calls => _calls.Values;

    public void OnRequest(SipRequest request, SipServerTransaction transaction)
    {
        // 8.2.1: method inspection first.
        if (!IsAllowed(request.Method))
        {
            transaction.Respond(IsKnown(request.Method) ? 405 : 501, decorate: AddCapabilities);
            return;
        }
        // 8.2.2.1: we only serve sip: and sips: URIs.
        if (!request.RequestUri.IsSip)
        {
            transaction.Respond(416, decorate: AddServerHeader);
            return;
        }
        // 8.2.2.3: an extension we do not support is required.
        if (UnsupportedRequirements(request) is { } unsupported)
        {
            transaction.Respond(420, decorate: r =>
            {
                r.Headers.Add(SipHeaderNames.Unsupported, unsupported);
                AddServerHeader(r);
            });
            return;
        }
        if (request.Method == SipMethods.Invite && !request.Body.IsEmpty && !IsSdp(request.ContentType))
        {
            // 8.2.3: a body we cannot read; say what we accept.
            transaction.Respond(415, decorate: r =>
            {
                r.Headers.Add(SipHeaderNames.Accept, "application/sdp");
                AddServerHeader(r);
            });
            return;
        }

        if (request.To?.Tag is not null)
        {
            // 12.2.2: inside a dialog, or 481 when we know no such dialog.
            if (SipDialogId.TryFromIncomingRequest(request, out var id) && _calls.TryGetValue(id, out var call))
                call.OnInDialogRequest(request, transaction);
            else
                transaction.Respond(481, decorate: AddServerHeader);
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Invite:
                OnNewInvite(request, (InviteServerTransaction)transaction);
                break;
            case SipMethods.Options:
                // 11.2: the same answer an INVITE would get, here 200 with our capabilities.
                transaction.SendResponse(CreateOptionsResponse(request, CreateContact(transaction.Source, null)));
                break;
            default:
                // 15.1.2 (BYE) and RFC 6086 (INFO) outside any dialog.
                transaction.Respond(481, decorate: AddServerHeader);
                break;
        }
    }

    private void OnNewInvite(SipRequest invite, InviteServerTransaction transaction)
    {
        if (_calls.Count >= _options.MaxCalls)
        {
            transaction.Respond(503, "Service Unavailable (call limit reached)", retryAfter: _options.OverloadRetryAfter, decorate: AddServerHeader);
            return;
        }
        var inviteKey = (invite.CallId!, invite.From?.Tag ?? string.Empty, invite.CSeq!.Value.Number);
        if (_callsByInvite.TryGetValue(inviteKey, out var earlier) && earlier.InviteBranch != transaction.Key.Branch)
        {
            // 8.2.2.2: the same request reached us twice by different paths (a forking proxy): merged request.
            transaction.Respond(482, decorate: AddServerHeader);
            return;
        }
        var dialog = SipDialog.CreateAsUas(invite, SipResponseFactory.NewTag(), transaction.Source);
        var call = new SipCall(this, dialog, transaction);
        transaction.Owner = call;
        _calls[dialog.Id] = call;
        _callsByInvite[inviteKey] = call;
        call.StartOffer(new IncomingCall(call, invite));
    }

    /// <summary>9.2: 200 to the CANCEL, then 487 to the INVITE if it has no final response yet; 481 if no INVITE matches.</summary>
    public void OnCancel(SipRequest cancel, SipServerTransaction cancelTransaction, InviteServerTransaction? invite)
    {
        if (invite is null)
        {
            cancelTransaction.Respond(481, decorate: AddServerHeader);
            return;
        }
        cancelTransaction.Respond(200, decorate: AddServerHeader);
        if (invite.Owner is SipCall call) call.OnCancel();
    }

    public void OnAck(SipRequest ack, SipPeer source)
    {
        if (SipDialogId.TryFromIncomingRequest(ack, out var id) && _calls.TryGetValue(id, out var call)) call.OnAck(ack);
        // An ACK for nothing we know is dropped: ACKs are never answered (17.2.3).
    }

    public void OnStrayResponse(SipResponse response, SipPeer source)
    {
        if (SipDialogId.TryFromIncomingResponse(response, out var id) && _calls.TryGetValue(id, out var call)) call.OnStrayResponse(response);
    }

    /// <summary>A call we placed, once its 2xx arrived: requests inside its dialog now find it.</summary>
    internal void RegisterOutgoing(SipCall call) => _calls[call.DialogId] = call;

    internal void Unregister(SipCall call)
    {
        _calls.TryRemove(new KeyValuePair<SipDialogId, SipCall>(call.DialogId, call));
        _callsByInvite.TryRemove(new KeyValuePair<(string, string, uint), SipCall>(call.InviteKey, call));
    }

    /// <summary>Calls the handler's notification; a throwing handler is logged, never allowed into the stack.</summary>
    internal void Invoke(Action<ISipCallHandler> notification)
    {
        try
        {
            notification(Handler);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "The call handler failed in a notification");
        }
    }

    /// <summary>Our Contact on a flow: sip:user@host:port, with transport=tcp over TCP so the peer comes back on TCP (RFC 3261 19.1.1).</summary>
    internal SipUri CreateContact(SipPeer flow, string? user)
    {
        var contact = SipUri.Create(Transport.GetAdvertisedHost(flow), user, Transport.Port);
        if (flow.Protocol == SipProtocol.Tcp) contact.Parameters.Add("transport", "tcp");
        return contact;
    }

    /// <summary>A response to a dialog-creating or target-refresh request: our tag, Contact, the SDP if any (12.1.1, 13.3.1).</summary>
    internal SipResponse CreateResponse(SipRequest request, int statusCode, string toTag, SipUri contact, ReadOnlyMemory<byte> sdp)
    {
        var response = SipResponseFactory.CreateResponse(request, statusCode, toTag: toTag);
        // 12.1.1: the UAS copies Record-Route into responses that create a dialog.
        request.Headers.CopyTo(response.Headers, SipHeaderNames.RecordRoute);
        response.Headers.Add(SipHeaderNames.Contact, "<" + contact + ">");
        if (statusCode >= 200) AddCapabilities(response);
        else AddServerHeader(response);
        if (!sdp.IsEmpty)
        {
            response.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            response.Body = sdp;
        }
        return response;
    }

    internal SipResponse CreateOptionsResponse(SipRequest request, SipUri contact)
    {
        var response = SipResponseFactory.CreateResponse(request, 200);
        response.Headers.Add(SipHeaderNames.Contact, "<" + contact + ">");
        AddCapabilities(response);
        return response;
    }

    /// <summary>Allow, Accept and Supported (RFC 3261 11.2, 20.1, 20.5, 20.37), and Server.</summary>
    internal void AddCapabilities(SipResponse response)
    {
        response.Headers.Add(SipHeaderNames.Allow, AllowedMethods);
        response.Headers.Add(SipHeaderNames.Accept, AcceptedContentTypes);
        response.Headers.Add(SipHeaderNames.Supported, _supported);
        AddServerHeader(response);
    }

    internal void AddServerHeader(SipResponse response)
    {
        if (_options.ProductName is { } product) response.Headers.Add(SipHeaderNames.Server, product);
    }

    internal void AddUserAgentHeader(SipRequest request)
    {
        if (_options.ProductName is { } product) request.Headers.Add(SipHeaderNames.UserAgent, product);
    }

    /// <summary>
    /// Where a request inside a dialog goes (RFC 3261 8.1.2, 18.1.1; RFC 3263 reduced to an address
    /// lookup): the URI's transport parameter or the dialog's protocol, its host and port. Over TCP,
    /// the connection the dialog came in on is reused when it reaches the same address.
    /// </summary>
    internal async ValueTask<SipPeer?> ResolveNextHopAsync(SipUri uri, SipPeer flow)
    {
        var protocol = uri.Transport?.ToLowerInvariant() switch
        {
            "tcp" => SipProtocol.Tcp,
            "udp" => SipProtocol.Udp,
            _ => flow.Protocol,
        };
        var port = uri.Port ?? (uri.Scheme == "sips" ? 5061 : 5060);
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(uri.Host).ConfigureAwait(false);
                address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            }
            catch (SocketException e)
            {
                Logger.LogWarning("Cannot resolve {Host}: {Error}", uri.Host, e.SocketErrorCode);
            }
            if (address is null) return null;
        }
        var remote = new IPEndPoint(address, port);
        if (protocol == SipProtocol.Tcp && flow.Protocol == SipProtocol.Tcp && flow.RemoteEndPoint.Address.Equals(address)) remote = flow.RemoteEndPoint;
        return new SipPeer(protocol, remote) { LocalEndPoint = flow.LocalEndPoint };
    }

    public void StopAllCalls()
    {
        foreach (var call in _calls.Values) call.Stop();
    }

    private string? UnsupportedRequirements(SipRequest request)
    {
        if (request.Method is SipMethods.Ack or SipMethods.Cancel) return null; // 8.2.2.3: never rejected for Require
        List<string>? unsupported = null;
        foreach (var tag in request.Headers.GetAll(SipHeaderNames.Require))
        {
            var trimmed = tag.Trim();
            if (trimmed.Length == 0) continue;
            if (!_options.SupportedExtensions.Contains(trimmed, StringComparer.OrdinalIgnoreCase)) (unsupported ??= []).Add(trimmed);
        }
        return unsupported is null ? null : string.Join(", ", unsupported);
    }

    private static bool IsAllowed(string method) =>
        method is SipMethods.Invite or SipMethods.Ack or SipMethods.Cancel or SipMethods.Bye or SipMethods.Options or SipMethods.Info;

    private static bool IsKnown(string method) => method is SipMethods.Register or SipMethods.Update or SipMethods.Prack or SipMethods.Subscribe
        or SipMethods.Notify or SipMethods.Refer or SipMethods.Message or SipMethods.Publish;

    private static bool IsSdp(string? contentType)
    {
        if (contentType is null) return true; // RFC 3261 20.15 wants it, but an SDP body is all an INVITE carries here
        var semi = contentType.IndexOf(';');
        var media = (semi >= 0 ? contentType.AsSpan(0, semi) : contentType.AsSpan()).Trim();
        return media.Equals("application/sdp", StringComparison.OrdinalIgnoreCase);
    }
}
