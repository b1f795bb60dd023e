using System.Collections.Concurrent;
using System.Net;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Conferencing.Services.Prompts;
using ConferenceCluster.Gateway.Admission;
using ConferenceCluster.Gateway.Ivr;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Media.Video;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Conferencing.Cluster;
using Orleans.Runtime;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;
using Microsoft.Extensions.Logging;
using MediaAudioCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>
/// The SIP side of a silo: an INVITE to any alias of a Virtual Meeting Room joins its conference through a
/// ParticipantGrain on this silo (the signalling node, R17); the media goes to the node the conference grain chose,
/// whose address and port the SDP answer carries (R28). This silo keeps the dialog for the whole call.
/// A PIN-protected room first answers the call onto the PIN entry screen here (prompts, RFC 4733 / INFO digits);
/// once the caller is admitted, a re-INVITE moves the media to the conference's media node.
/// </summary>
public sealed partial class SipGateway : ISipCallHandler, ICallLegObserver, IAsyncDisposable
{
    private readonly GatewayOptions _options;
    private readonly ConfigurationView _configuration;
    private readonly IGrainFactory _grains;
    private readonly LocalNode _silo;
    private readonly MediaNode _mediaNode;
    private readonly ClusterNodes _nodes;
    private readonly CallAdmission _admission;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GatewayCall> _byParticipant = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SipCall, GatewayCall> _bySipCall = new();
    private SipEndpoint? _endpoint;

    public SipGateway(
        GatewayOptions options, ConfigurationView configuration, IGrainFactory grains, LocalNode silo, MediaNode mediaNode,
        ClusterNodes nodes, CallAdmission admission, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _nodes = nodes;
        _options = options;
        _configuration = configuration;
        _grains = grains;
        _silo = silo;
        _mediaNode = mediaNode;
        _time = time;
        _admission = admission;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SipGateway>();
    }

    /// <summary>The SIP port actually bound (differs from the option when that is 0).</summary>
    public int SipPort => _endpoint?.Port ?? 0;

    public int ActiveCalls => _byParticipant.Count;

    private volatile bool _draining;

    /// <summary>
    /// Set by the host while it drains before stopping (SIGTERM): new calls are refused as in maintenance mode,
    /// calls already up continue until they end.
    /// </summary>
    public bool Draining
    {
        get => _draining;
        set => _draining = value;
    }

    /// <summary>This node's record in the management API has <c>maintenance_mode</c> on (R-NODE-4).</summary>
    public bool InMaintenanceMode =>
        _configuration.Current.Nodes.TryGetValue(_silo.Name, out var record) && record.Node.MaintenanceMode;

    /// <summary>False while in maintenance mode or draining: new calls get 503 + Retry-After, nothing is joined.</summary>
    public bool AcceptsNewCalls => !Draining && !InMaintenanceMode;

    public void Start()
    {
        _endpoint = new SipEndpoint(this, new SipEndpointOptions
        {
            Transport = new SipTransportOptions
            {
                BindAddress = IPAddress.Parse(_options.BindAddress),
                Port = _options.SipPort,
                AdvertisedHost = _options.AdvertisedAddress,
            },
        }, _time, _loggerFactory);
        _endpoint.Start();
        _logger.LogInformation("SIP gateway of {Silo} listens on port {Port} (UDP and TCP)", _silo.Name, _endpoint.Port);
    }

    public async Task<IncomingCallDecision> OnInviteAsync(IncomingCall incoming, CancellationToken cancellationToken)
    {
        var source = incoming.Source.RemoteEndPoint.Address.ToString();
        var alias = incoming.RequestUri.User ?? "";
        // Maintenance mode (R-NODE-4, L11666) or draining before a stop: no new calls, checked before anything else
        // so nothing is joined and no PIN entry screen is offered. Calls already up are not affected.
        if (!AcceptsNewCalls)
        {
            _logger.LogInformation("Call to {Alias} from {Source} rejected: Message=\"Participant failed to join conference.\" Reason=\"System in maintenance mode\"{Draining}",
                alias, source, Draining ? " (draining before stop)" : "");
            return IncomingCallDecision.Reject(503, "System In Maintenance Mode", _options.CapacityRetryAfter);
        }
        // Break-in resistance (R-BRK): a quarantined caller, or a room under PIN attack, sees no room at all.
        if (_admission.CheckCaller(source, alias) is { Allowed: false } quarantined)
        {
            _logger.LogWarning("{Message}", quarantined.LogMessage);
            return IncomingCallDecision.Reject(404, "Not Found");
        }
        var room = await _admission.FindRoomAsync(alias, incoming.RequestUri.Host, cancellationToken).ConfigureAwait(false);
        if (room is null)
        {
            _admission.RecordUnknownAlias(source);
            return IncomingCallDecision.Reject(404, "Not Found");
        }
        if (_admission.CheckService(room.Name, incoming.From.Uri.ToString(), source) is { Allowed: false } blocked)
        {
            _logger.LogWarning("{Message}", blocked.LogMessage);
            return IncomingCallDecision.Reject(404, "Not Found");
        }
        if (!SdpSessionDescription.TryParse(incoming.Offer.Span, out var offer, out _) || offer is null)
            return IncomingCallDecision.Reject(488, "Not Acceptable Here (an SDP offer is required)");
        var videoQuality = VideoQualityOf(room);
        var negotiated = SdpVideoOfferAnswer.CreateAnswer(offer, AnswerOptions(_options.AdvertisedAddress, 9),
            videoQuality is { } quality ? NegotiatedVideoLegs.SdpOptions(quality, room.MaximumInboundCallBandwidthKbps, 9) : null);
        if (negotiated.Audio.Audio is not { } audio)
            return IncomingCallDecision.Reject(488, "Not Acceptable Here");

        var pins = PinPolicy.For(room);
        var call = new GatewayCall(Guid.NewGuid().ToString("N"), incoming.Call, room.Name, audio)
        {
            Alias = alias,
            VideoQuality = videoQuality,
            InboundLimitKbps = room.MaximumInboundCallBandwidthKbps,
            OutboundLimitKbps = room.MaximumOutboundCallBandwidthKbps,
            // The PIN entry screen answers audio only; such a call stays an audio call in the conference.
            Video = pins.RequiresPinEntry ? null : negotiated.Video,
        };
        _byParticipant[call.ParticipantId] = call;
        _bySipCall[incoming.Call] = call;
        var displayName = incoming.From.DisplayName ?? incoming.From.Uri.User;
        try
        {
            if (pins.RequiresPinEntry)
                return StartPinEntry(call, offer, pins, displayName);

            var join = await DialAsync(call, ParticipantRole.Host, displayName).ConfigureAwait(false);
            // A locked room holds even a caller who needs no PIN (R-LOCK-2, L7813): it waits for the host, hearing the
            // waiting prompt on a port of this node, and moves to the conference by re-INVITE when let in.
            if (join is { Accepted: true, Waiting: true })
                return StartWaitingScreen(call, offer, displayName);
            if (!join.Accepted || join.MediaNode is null)
            {
                Forget(call);
                var (status, reason, retry) = DisconnectReasons.ResponseFor(join.Rejection);
                _logger.LogInformation("Call to {Alias} rejected: {Message}", alias, join.Message);
                return IncomingCallDecision.Reject(status, reason, retry ? _options.CapacityRetryAfter : null);
            }
            var media = await AddConferenceLegAsync(call, join.MediaNode, join.MediaProxyNode).ConfigureAwait(false);
            call.InConference = true;
            return IncomingCallDecision.Accept(AnswerWith(offer, call, media).ToString());
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Call to {Alias} failed while joining", alias);
            await EndAsync(call, "Failed to set up the call").ConfigureAwait(false);
            return IsTemporary(ex)
                ? IncomingCallDecision.Reject(503, "Service Unavailable", _options.CapacityRetryAfter)
                : IncomingCallDecision.Reject(500, "Server Internal Error");
        }
    }

    private async Task<JoinResult> DialAsync(GatewayCall call, ParticipantRole role, string? displayName)
    {
        var media = CallMediaOf(call);
        var join = await _grains.GetGrain<IParticipantGrain>(call.ParticipantId)
            .Dial(new CallRequest(call.Conference, media, role, displayName)
            {
                CallKind = media.AudioOnly ? CallKind.AudioOnly : CallKind.Video,
                Leg = new CallLeg(call.Alias, $"SIP/{call.Sip.Flow.ViaTransport}", call.Sip.Flow.RemoteEndPoint.ToString(), call.Audio.Codec.EncodingName),
            }).ConfigureAwait(false);
        call.Joined = join.Accepted;
        return join;
    }

    /// <summary>
    /// Puts the call's media on its media node (R28), through a relay on its proxying node when it has one (R43): the
    /// relay faces the endpoint, the leg on the media node sends to and hears from the relay's inner ports.
    /// </summary>
    /// <returns>Where the endpoint sends its audio: the relay's outer ports, or the leg's own (its video's: <see cref="GatewayCall.VideoAddress"/>).</returns>
    private async Task<MediaLegAddress> AddConferenceLegAsync(GatewayCall call, string mediaNode, string? proxyNode)
    {
        var audio = call.Audio;
        MediaRelayAddress? relay = null;
        if (proxyNode is not null)
        {
            relay = await _grains.GetGrain<IMediaNodeGrain>(proxyNode).AddRelay(new MediaRelayRequest(
                call.Conference, call.ParticipantId, audio.RemoteAddress, audio.RemoteRtpPort, audio.RemoteRtcpPort)).ConfigureAwait(false);
            call.ProxyNode = proxyNode;
        }
        var remote = relay?.Inner ?? new MediaLegAddress(audio.RemoteAddress, audio.RemoteRtpPort, audio.RemoteRtcpPort);
        var media = await _grains.GetGrain<IMediaNodeGrain>(mediaNode).AddLeg(new MediaLegRequest(
            call.Conference, call.ParticipantId, audio.Codec.EncodingName, audio.PayloadType, audio.TelephoneEventPayloadType,
            audio.TelephoneEventClockRate, remote.Address, remote.RtpPort, remote.RtcpPort, _silo.Name, audio.AudioLevelExtensionId)).ConfigureAwait(false);
        call.MediaNode = mediaNode;
        if (proxyNode is not null)
            await _grains.GetGrain<IMediaNodeGrain>(proxyNode).ConnectRelay(call.ParticipantId, media).ConfigureAwait(false);
        call.VideoAddress = call.Video is { } video ? await AddVideoLegAsync(call, video, mediaNode, proxyNode).ConfigureAwait(false) : null;
        if (call.Muted)
            await _grains.GetGrain<IMediaNodeGrain>(mediaNode).SetMuted(call.ParticipantId, true).ConfigureAwait(false);
        _logger.LogInformation("Call {Participant} joined {Conference}: media on {MediaNode} port {Port}{Proxy}, {Codec}",
            call.ParticipantId, call.Conference, mediaNode, media.RtpPort,
            relay is null ? "" : $", proxied by {proxyNode} port {relay.Outer.RtpPort}", audio.Codec.EncodingName);
        return relay?.Outer ?? media;
    }

    /// <summary>Answers onto the PIN entry screen (R-PIN-3, L6890): an RTP port here plays the prompts and hears the digits.</summary>
    private IncomingCallDecision StartPinEntry(GatewayCall call, SdpSessionDescription offer, PinPolicy pins, string? displayName)
    {
        var (ivr, port) = OpenIvr(call);
        call.Pin = new PinEntrySession(pins, PinEntryOptions.From(_configuration.Current.Global), _time);
        call.DisplayName = displayName;
        ivr.Start();
        IReadOnlyList<PinEntryEvent> events;
        lock (call.Gate) events = call.Pin.Start();
        call.PinTimer = _time.CreateTimer(_ => OnPinTimer(call), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _ = HandlePinEventsAsync(call, events);
        _logger.LogInformation("Call {Participant} to {Conference} is at the PIN entry screen", call.ParticipantId, call.Conference);
        return IncomingCallDecision.Accept(SdpOfferAnswer.CreateAudioAnswer(offer, AnswerOptions(_options.AdvertisedAddress, port)).Answer!.ToString());
    }

    /// <summary>
    /// Answers a caller the conference keeps waiting for the host (no PIN entry: a locked room) onto a port here that plays
    /// the conference's prompts and hears DTMF; <see cref="OnAdmitted"/> moves it into the conference.
    /// </summary>
    private IncomingCallDecision StartWaitingScreen(GatewayCall call, SdpSessionDescription offer, string? displayName)
    {
        var (ivr, port) = OpenIvr(call);
        call.DisplayName = displayName;
        ivr.Start();
        // The conference's first waiting prompt may have come before the port existed.
        if (Interlocked.Exchange(ref call.PendingPrompt, null) is { } prompt) _ = ivr.PlayAsync(PromptLibrary.Load(prompt));
        _logger.LogInformation("Call {Participant} to {Conference} waits for the host", call.ParticipantId, call.Conference);
        return IncomingCallDecision.Accept(SdpOfferAnswer.CreateAudioAnswer(offer, AnswerOptions(_options.AdvertisedAddress, port)).Answer!.ToString());
    }

    /// <summary>A port of this node that plays prompts to the call and hears its digits (PIN entry, waiting for the host).</summary>
    private (IvrMediaSession Ivr, int Port) OpenIvr(GatewayCall call)
    {
        var audio = call.Audio;
        var port = _mediaNode.AllocatePort();
        // No telephone-event offered (DTMF by SIP INFO only): the media path still wants a real clock rate, unused then.
        var ivr = new IvrMediaSession(port, _mediaNode.BindAddress, MediaCodecOf(audio.Codec), audio.PayloadType, audio.TelephoneEventPayloadType,
            audio.TelephoneEventClockRate > 0 ? audio.TelephoneEventClockRate : 8000, new IPEndPoint(IPAddress.Parse(audio.RemoteAddress), audio.RemoteRtpPort),
            digit => OnDigits(call, digit.ToString()), _mediaNode.ReleasePort, _loggerFactory.CreateLogger<IvrMediaSession>());
        call.Ivr = ivr;
        return (ivr, port);
    }

    private void OnPinTimer(GatewayCall call)
    {
        IReadOnlyList<PinEntryEvent> events;
        lock (call.Gate)
        {
            if (call.Pin is null || call.HasEnded) return;
            events = call.Pin.Tick();
        }
        if (events.Count > 0) _ = HandlePinEventsAsync(call, events);
    }

    private void OnDigits(GatewayCall call, string digits)
    {
        IReadOnlyList<PinEntryEvent>? events = null;
        lock (call.Gate)
        {
            // Still on the PIN entry screen, or a Guest waiting who may yet type the Host PIN (L8441).
            if (call.Pin is { State: PinEntryState.Collecting or PinEntryState.GuestListeningForHostPin } pin && !call.InConference)
                events = pin.Digits(digits);
        }
        if (events is not null)
        {
            _ = HandlePinEventsAsync(call, events);
            return;
        }
        // In the conference (or waiting in its lobby): conference control (*5, *7, ## for Hosts, R-DTMF).
        if (call.Joined)
            _ = _grains.GetGrain<IConferenceGrain>(call.Conference).Dtmf(call.ParticipantId, digits)
                .ContinueWith(t => _logger.LogWarning(t.Exception, "DTMF of {Participant} was not delivered", call.ParticipantId), TaskContinuationOptions.OnlyOnFaulted);
    }

    private async Task HandlePinEventsAsync(GatewayCall call, IReadOnlyList<PinEntryEvent> events)
    {
        Task lastPrompt = Task.CompletedTask;
        foreach (var pinEvent in events)
        {
            switch (pinEvent)
            {
                case PinEntryEvent.PlayPrompt play when call.Ivr is { } ivr:
                    lastPrompt = ivr.PlayAsync(PromptLibrary.Load(play.PromptId));
                    break;
                case PinEntryEvent.PinAttempt attempt:
                    // Every attempt, good or bad, goes to the administrator log (R-PIN-4, L7009); never the digits.
                    _logger.LogInformation("PIN attempt {Number} for {Conference} by {Participant}: {Outcome}",
                        attempt.Number, call.Conference, call.ParticipantId, attempt.Correct ? $"correct ({attempt.Role})" : "incorrect");
                    if (!attempt.Correct && _admission.RecordIncorrectPin(call.Conference))
                        _logger.LogWarning("Break-in resistance now blocks {Conference}", call.Conference);
                    break;
                case PinEntryEvent.Disconnect disconnect:
                    // Let the caller hear why ("invalid PIN") before the line goes.
                    await lastPrompt.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                    await HangUpAsync(call, disconnect.Reason.ToString()).ConfigureAwait(false);
                    return;
                case PinEntryEvent.Admitted admitted when call.Joined:
                    // A waiting Guest typed the Host PIN: the conference promotes it (and lets it in).
                    await _grains.GetGrain<IConferenceGrain>(call.Conference).ChangeRole(call.ParticipantId, admitted.Role, call.ParticipantId).ConfigureAwait(false);
                    break;
                case PinEntryEvent.Admitted admitted:
                    await JoinFromPinEntryAsync(call, admitted.Role).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task JoinFromPinEntryAsync(GatewayCall call, ParticipantRole role)
    {
        try
        {
            var join = await DialAsync(call, role, call.DisplayName).ConfigureAwait(false);
            if (!join.Accepted)
            {
                if (call.Ivr is { } ivr && join.Rejection == JoinRejectionReason.CapacityExceeded)
                    await ivr.PlayAsync(PromptLibrary.Load(PromptCatalogue.CapacityExceeded)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await HangUpAsync(call, join.Message ?? "Join refused").ConfigureAwait(false);
                return;
            }
            if (join.MediaNode is { } mediaNode)
                await MoveToConferenceAsync(call, mediaNode, join.MediaProxyNode).ConfigureAwait(false);
            // Otherwise the caller waits for the host on the PIN entry port; OnAdmitted moves it when it is let in.
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Call {Participant} could not join {Conference} after PIN entry", call.ParticipantId, call.Conference);
            await HangUpAsync(call, "Failed to join the conference").ConfigureAwait(false);
        }
    }

    /// <summary>Re-INVITEs the endpoint from the PIN entry port to its leg on the conference's media node (RFC 3261 14).</summary>
    private async Task MoveToConferenceAsync(GatewayCall call, string mediaNode, string? proxyNode)
    {
        var media = await AddConferenceLegAsync(call, mediaNode, proxyNode).ConfigureAwait(false);
        if (!SdpSessionDescription.TryParse(call.Sip.LocalSdp.Span, out var offer, out _) || offer is null)
            throw new InvalidOperationException("the call has no local SDP to re-offer");
        // Same codec and payload types as agreed; only where the media goes changes.
        offer.Origin = offer.Origin with { SessionVersion = offer.Origin.SessionVersion + 1, Address = media.Address };
        offer.Connection = new SdpConnection("IN", media.Address.Contains(':') ? "IP6" : "IP4", media.Address);
        offer.Media[call.Audio.MediaIndex].Connections.Clear();
        offer.Media[call.Audio.MediaIndex].Port = media.RtpPort;
        PointVideoAt(offer, call);
        var result = await call.Sip.ReInviteAsync(offer.ToUtf8Bytes()).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            await HangUpAsync(call, $"Re-INVITE to the conference media failed ({result.StatusCode})").ConfigureAwait(false);
            return;
        }
        if (SdpSessionDescription.TryParse(result.AnswerSdp.Span, out var answer, out _) && answer is not null)
        {
            if (answer.Media.ElementAtOrDefault(call.Audio.MediaIndex) is { } answered && answer.GetEffectiveConnection(answered) is { } connection)
                await _grains.GetGrain<IMediaNodeGrain>(call.EndpointFacingNode!).UpdateRemote(call.ParticipantId, connection.Address, answered.Port, answered.Port + 1).ConfigureAwait(false);
            await FollowVideoAnswerAsync(call, answer).ConfigureAwait(false);
        }
        await ClosePinEntryAsync(call).ConfigureAwait(false);
        call.InConference = true;
    }

    private static async Task ClosePinEntryAsync(GatewayCall call)
    {
        call.PinTimer?.Dispose();
        lock (call.Gate) call.Pin?.StopListening();
        if (call.Ivr is { } ivr)
        {
            call.Ivr = null;
            await ivr.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void OnCallEnded(SipCall sip, SipCallEndReason reason)
    {
        if (_bySipCall.TryGetValue(sip, out var call))
            _ = Task.Run(() => EndAsync(call, call.HangUpReason ?? DisconnectReasons.Of(reason)));
    }

    public void OnDtmf(SipCall sip, DtmfDigit digit)
    {
        if (_bySipCall.TryGetValue(sip, out var call))
            OnDigits(call, digit.Digit.ToString());
    }

    public async Task<ReInviteDecision> OnReInviteAsync(SipCall sip, ReadOnlyMemory<byte> offerBytes, CancellationToken cancellationToken)
    {
        if (!_bySipCall.TryGetValue(sip, out var call))
            return ReInviteDecision.Reject(481);
        if (!SdpSessionDescription.TryParse(offerBytes.Span, out var offer, out _) || offer is null)
            return ReInviteDecision.Reject(488);
        var local = SdpSessionDescription.TryParse(sip.LocalSdp.Span, out var previous, out _) ? previous : null;
        var port = local?.Media.FirstOrDefault()?.Port ?? 9;
        var address = local?.Connection?.Address ?? _options.AdvertisedAddress;
        var negotiated = SdpOfferAnswer.CreateAudioAnswer(offer, AnswerOptions(address, port));
        if (negotiated.Audio is not { } audio)
            return ReInviteDecision.Reject(488);
        // The endpoint may have moved its own media (a new address or port): point the leg there.
        if (call.EndpointFacingNode is { } endpointFacing)
            await _grains.GetGrain<IMediaNodeGrain>(endpointFacing).UpdateRemote(call.ParticipantId, audio.RemoteAddress, audio.RemoteRtpPort, audio.RemoteRtcpPort).ConfigureAwait(false);
        // Video added, dropped or moved (an audio-only call's answer stays the audio answer).
        return ReInviteDecision.Accept((await AnswerReInviteAsync(call, offer, AnswerOptions(address, port)).ConfigureAwait(false)).ToString());
    }

    /// <summary>The conference ended this call (operator, failed node, conference end): hang up with the endpoint.</summary>
    public void OnDisconnectedByConference(string participantId, string conference, string reason)
    {
        if (_byParticipant.TryGetValue(participantId, out var call))
        {
            call.Joined = false; // the conference has already let it go
            _ = HangUpAsync(call, reason);
        }
    }

    /// <summary>A caller waiting for the host was let in: its media now has a node, so move it there.</summary>
    public void OnAdmitted(string participantId, string conference, JoinResult result)
    {
        if (!_byParticipant.TryGetValue(participantId, out var call) || result.MediaNode is not { } mediaNode) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await MoveToConferenceAsync(call, mediaNode, result.MediaProxyNode).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Admitted call {Participant} could not move to {MediaNode}", participantId, mediaNode);
                await HangUpAsync(call, "Failed to join the conference").ConfigureAwait(false);
            }
        });
    }

    /// <summary>
    /// The call's media (or proxying) node failed and the conference placed it again (issue 6): the leg and relay
    /// left on surviving nodes go, and a re-INVITE moves the endpoint to the new node. The dialog never changes hands.
    /// </summary>
    public void OnMediaMoved(string participantId, string conference, JoinResult result)
    {
        if (!_byParticipant.TryGetValue(participantId, out var call) || result.MediaNode is not { } mediaNode) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await LeaveOldMediaAsync(call).ConfigureAwait(false);
                await MoveToConferenceAsync(call, mediaNode, result.MediaProxyNode).ConfigureAwait(false);
                _logger.LogInformation("Call {Participant} moved to {MediaNode} after a node failure", participantId, mediaNode);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Call {Participant} could not move to {MediaNode}", participantId, mediaNode);
                await HangUpAsync(call, "Failed to move the call off a failed node").ConfigureAwait(false);
            }
        });
    }

    /// <summary>Removes what the call had on nodes that are still up; a failed node's media went with it.</summary>
    private async Task LeaveOldMediaAsync(GatewayCall call)
    {
        var (mediaNode, proxyNode) = (call.MediaNode, call.ProxyNode);
        call.MediaNode = null;
        call.ProxyNode = null;
        await CallMediaPlaces.RemoveAsync(_grains, _nodes, call.ParticipantId, mediaNode, proxyNode, _logger).ConfigureAwait(false);
    }

    /// <summary>A prompt for a caller not yet in the conference ("waiting for the host", R-HG-1): played on its PIN entry port.</summary>
    public void OnPrompt(string participantId, string conference, string promptId)
    {
        if (_byParticipant.TryGetValue(participantId, out var call) && call.Ivr is { } ivr)
            _ = ivr.PlayAsync(PromptLibrary.Load(promptId));
        else if (call is { InConference: false })
            Volatile.Write(ref call.PendingPrompt, promptId); // waiting, its port not open yet: the waiting screen plays it
        else
            _logger.LogDebug("Prompt {Prompt} for {Participant} not played: prompts inside the conference mix are not supported yet", promptId, participantId);
    }

    /// <summary>Mute (one participant, or all Guests with *5, R-MUTE-2): the media node leaves its voice out of the mix.</summary>
    public void OnMuted(string participantId, string conference, bool muted)
    {
        if (!_byParticipant.TryGetValue(participantId, out var call)) return;
        call.Muted = muted;
        if (call.MediaNode is { } mediaNode)
            _ = _grains.GetGrain<IMediaNodeGrain>(mediaNode).SetMuted(participantId, muted)
                .ContinueWith(t => _logger.LogWarning(t.Exception, "Could not mute {Participant}", participantId), TaskContinuationOptions.OnlyOnFaulted);
    }

    internal void OnMediaDtmf(string participantId, string digits)
    {
        if (_byParticipant.TryGetValue(participantId, out var call))
            OnDigits(call, digits);
    }

    private async Task HangUpAsync(GatewayCall call, string reason)
    {
        call.HangUpReason ??= reason;
        try
        {
            await call.Sip.HangUpAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "BYE for {Participant} failed", call.ParticipantId);
        }
        await EndAsync(call, reason).ConfigureAwait(false);
    }

    private async Task EndAsync(GatewayCall call, string reason)
    {
        if (!call.TryEnd()) return;
        Forget(call);
        try
        {
            await ClosePinEntryAsync(call).ConfigureAwait(false);
            // What the media leg measured goes into the participant's history with the hang-up.
            var leg = call.MediaNode is { } measuredOn
                ? await _grains.GetGrain<IMediaNodeGrain>(measuredOn).GetLegStatistics(call.ParticipantId).ConfigureAwait(false)
                : null;
            if (call.Joined)
                await _grains.GetGrain<IParticipantGrain>(call.ParticipantId)
                    .Hangup(leg is null ? null : new CallQuality(leg.PacketsReceived, leg.PacketsLost, leg.JitterMs)).ConfigureAwait(false);
            if (call.MediaNode is { } mediaNode)
                await _grains.GetGrain<IMediaNodeGrain>(mediaNode).RemoveLeg(call.ParticipantId).ConfigureAwait(false);
            _logger.LogInformation("Call {Participant} left {Conference}: {Reason}", call.ParticipantId, call.Conference, reason);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cleaning up call {Participant} failed", call.ParticipantId);
        }
        // On its own: the relay goes even when the media node it fed is the one that failed.
        if (call.ProxyNode is { } proxyNode)
        {
            try
            {
                await _grains.GetGrain<IMediaNodeGrain>(proxyNode).RemoveRelay(call.ParticipantId).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Removing the relay of call {Participant} on {ProxyNode} failed", call.ParticipantId, proxyNode);
            }
        }
    }

    private void Forget(GatewayCall call)
    {
        _byParticipant.TryRemove(call.ParticipantId, out _);
        _bySipCall.TryRemove(call.Sip, out _);
    }

    /// <summary>
    /// A node that cannot be reached now, a media node out of RTP ports (here or, through a grain call, on the media
    /// node), or a cluster database that does not answer (a conference that is not running cannot load its state; Orleans
    /// wraps the driver's timeout in its storage error) may take the call on a retry: 503 + Retry-After. Anything else is
    /// our fault, not a full or unreachable cluster.
    /// </summary>
    private static bool IsTemporary(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or MediaPortsExhaustedException
        || IsDatabaseUnavailable(ex);

    /// <summary>Somewhere in the chain a driver error the driver calls transient (Npgsql: timeouts, lost connections) or a timeout.</summary>
    private static bool IsDatabaseUnavailable(Exception ex)
    {
        for (var cause = ex; cause is not null; cause = cause.InnerException)
        {
            if (cause is System.Data.Common.DbException { IsTransient: true } or TimeoutException)
                return true;
        }
        return false;
    }

    private static MediaAudioCodec MediaCodecOf(AudioCodec codec) => codec.EncodingName.ToUpperInvariant() switch
    {
        "OPUS" => MediaAudioCodec.Opus,
        "PCMU" => MediaAudioCodec.Pcmu,
        _ => MediaAudioCodec.Pcma,
    };

    private static SdpAudioOptions AnswerOptions(string address, int port) => new()
    {
        LocalAddress = address,
        LocalRtpPort = port,
        Username = "conferencecluster",
        SessionId = (ulong)Random.Shared.NextInt64(1, long.MaxValue),
        SessionVersion = 1,
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _endpoint, null) is { } endpoint) await endpoint.DisposeAsync().ConfigureAwait(false);
        _admission.Prune();
    }
}
