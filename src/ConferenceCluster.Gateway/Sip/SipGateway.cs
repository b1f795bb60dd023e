using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Sip;

/// <summary>
/// The SIP side of a silo: an INVITE to any alias of a Virtual Meeting Room joins its conference through a
/// ParticipantGrain on this silo (the signalling node, R17); the media goes to the node the conference grain chose,
/// whose address and port the SDP answer carries (R28). This silo keeps the dialog for the whole call.
/// </summary>
public sealed class SipGateway : ISipCallHandler, ICallLegObserver, IAsyncDisposable
{
    private readonly GatewayOptions _options;
    private readonly ConfigurationView _configuration;
    private readonly IGrainFactory _grains;
    private readonly ILocalSiloDetails _silo;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GatewayCall> _byParticipant = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SipCall, GatewayCall> _bySipCall = new();
    private SipEndpoint? _endpoint;

    public SipGateway(GatewayOptions options, ConfigurationView configuration, IGrainFactory grains, ILocalSiloDetails silo, ILoggerFactory loggerFactory)
    {
        _options = options;
        _configuration = configuration;
        _grains = grains;
        _silo = silo;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SipGateway>();
    }

    /// <summary>The SIP port actually bound (differs from the option when that is 0).</summary>
    public int SipPort => _endpoint?.Port ?? 0;

    public int ActiveCalls => _byParticipant.Count;

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
        }, loggerFactory: _loggerFactory);
        _endpoint.Start();
        _logger.LogInformation("SIP gateway of {Silo} listens on port {Port} (UDP and TCP)", _silo.Name, _endpoint.Port);
    }

    public async Task<IncomingCallDecision> OnInviteAsync(IncomingCall incoming, CancellationToken cancellationToken)
    {
        var alias = incoming.RequestUri.User ?? "";
        var room = _configuration.Current.FindConferenceByAlias(alias)
                   ?? _configuration.Current.FindConferenceByAlias($"{alias}@{incoming.RequestUri.Host}");
        if (room is null)
            return IncomingCallDecision.Reject(404, "Not Found");
        if (!SdpSessionDescription.TryParse(incoming.Offer.Span, out var offer, out _) || offer is null)
            return IncomingCallDecision.Reject(488, "Not Acceptable Here (an SDP offer is required)");
        var negotiated = SdpOfferAnswer.CreateAudioAnswer(offer, AnswerOptions(_options.AdvertisedAddress, 9));
        if (negotiated.Audio is not { } audio)
            return IncomingCallDecision.Reject(488, "Not Acceptable Here");
        if (RequiresPin(room))
            return IncomingCallDecision.Reject(488, "Not Acceptable Here (PIN-protected rooms need the PIN entry service)");

        var call = new GatewayCall(Guid.NewGuid().ToString("N"), incoming.Call, room.Name);
        _byParticipant[call.ParticipantId] = call;
        _bySipCall[incoming.Call] = call;
        try
        {
            var join = await _grains.GetGrain<IParticipantGrain>(call.ParticipantId)
                .Dial(new CallRequest(room.Name, CallMedia.Audio, ParticipantRole.Host, incoming.From.DisplayName ?? incoming.From.Uri.User))
                .ConfigureAwait(false);
            if (!join.Accepted || join.MediaNode is null)
            {
                Forget(call);
                var (status, reason, retry) = DisconnectReasons.ResponseFor(join.Rejection);
                _logger.LogInformation("Call to {Alias} rejected: {Message}", alias, join.Message);
                return IncomingCallDecision.Reject(status, reason, retry ? _options.CapacityRetryAfter : null);
            }
            call.Joined = true;
            call.MediaNode = join.MediaNode;
            var media = await _grains.GetGrain<IMediaNodeGrain>(join.MediaNode).AddLeg(new MediaLegRequest(
                room.Name, call.ParticipantId, audio.Codec.EncodingName, audio.PayloadType, audio.TelephoneEventPayloadType,
                audio.TelephoneEventClockRate, audio.RemoteAddress, audio.RemoteRtpPort, audio.RemoteRtcpPort, _silo.Name)).ConfigureAwait(false);
            var answer = SdpOfferAnswer.CreateAudioAnswer(offer, AnswerOptions(media.Address, media.RtpPort));
            _logger.LogInformation("Call {Participant} joined {Conference}: media on {MediaNode} port {Port}, {Codec}",
                call.ParticipantId, room.Name, join.MediaNode, media.RtpPort, audio.Codec.EncodingName);
            return IncomingCallDecision.Accept(answer.Answer!.ToString());
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Call to {Alias} failed while joining", alias);
            await EndAsync(call, "Failed to set up the call").ConfigureAwait(false);
            return IncomingCallDecision.Reject(503, "Service Unavailable", _options.CapacityRetryAfter);
        }
    }

    public void OnCallEnded(SipCall sip, SipCallEndReason reason)
    {
        if (_bySipCall.TryGetValue(sip, out var call))
            _ = Task.Run(() => EndAsync(call, DisconnectReasons.Of(reason)));
    }

    public void OnDtmf(SipCall sip, DtmfDigit digit)
    {
        if (_bySipCall.TryGetValue(sip, out var call))
            OnDigits(call, digit.Digit.ToString());
    }

    public async Task<ReInviteDecision> OnReInviteAsync(SipCall sip, ReadOnlyMemory<byte> offerBytes, CancellationToken cancellationToken)
    {
        if (!_bySipCall.TryGetValue(sip, out var call) || call.MediaNode is null)
            return ReInviteDecision.Reject(481);
        if (!SdpSessionDescription.TryParse(offerBytes.Span, out var offer, out _) || offer is null)
            return ReInviteDecision.Reject(488);
        var media = _grains.GetGrain<IMediaNodeGrain>(call.MediaNode);
        var local = SdpSessionDescription.TryParse(sip.LocalSdp.Span, out var previous, out _) ? previous : null;
        var port = local?.Media.FirstOrDefault()?.Port ?? 9;
        var address = local?.Connection?.Address ?? _options.AdvertisedAddress;
        var negotiated = SdpOfferAnswer.CreateAudioAnswer(offer, AnswerOptions(address, port));
        if (negotiated.Audio is not { } audio)
            return ReInviteDecision.Reject(488);
        // The endpoint may have moved its own media (a new address or port): point the leg there.
        await media.UpdateRemote(call.ParticipantId, audio.RemoteAddress, audio.RemoteRtpPort, audio.RemoteRtcpPort).ConfigureAwait(false);
        return ReInviteDecision.Accept(negotiated.Answer!.ToString());
    }

    /// <summary>The conference ended this call (operator, failed node, conference end): hang up with the endpoint.</summary>
    public void OnDisconnectedByConference(string participantId, string conference, string reason)
    {
        if (_byParticipant.TryGetValue(participantId, out var call))
        {
            call.Joined = false; // the conference has already let it go
            _ = Task.Run(async () =>
            {
                await call.Sip.HangUpAsync().ConfigureAwait(false);
                await EndAsync(call, reason).ConfigureAwait(false);
            });
        }
    }

    internal void OnMediaDtmf(string participantId, string digits)
    {
        if (_byParticipant.TryGetValue(participantId, out var call))
            OnDigits(call, digits);
    }

    private void OnDigits(GatewayCall call, string digits) =>
        _logger.LogDebug("DTMF {Digits} from {Participant} in {Conference}", digits, call.ParticipantId, call.Conference);

    private async Task EndAsync(GatewayCall call, string reason)
    {
        if (!call.TryEnd()) return;
        Forget(call);
        try
        {
            if (call.Joined)
                await _grains.GetGrain<IParticipantGrain>(call.ParticipantId).Hangup().ConfigureAwait(false);
            if (call.MediaNode is { } mediaNode)
                await _grains.GetGrain<IMediaNodeGrain>(mediaNode).RemoveLeg(call.ParticipantId).ConfigureAwait(false);
            _logger.LogInformation("Call {Participant} left {Conference}: {Reason}", call.ParticipantId, call.Conference, reason);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cleaning up call {Participant} failed", call.ParticipantId);
        }
    }

    private void Forget(GatewayCall call)
    {
        _byParticipant.TryRemove(call.ParticipantId, out _);
        _bySipCall.TryRemove(call.Sip, out _);
    }

    private static bool RequiresPin(VirtualMeetingRoom room) => !string.IsNullOrEmpty(room.HostPin);

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
        if (_endpoint is not null) await _endpoint.DisposeAsync().ConfigureAwait(false);
    }
}
