using System.Net;
using System.Net.Sockets;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Media.Rtp;
using ConferenceCluster.Media.WebRtc.Legs;
using ConferenceCluster.Media.WebRtc.Sdp;
using ConferenceCluster.Media.Workers;
using Microsoft.Extensions.Logging;
using MediaAudioCodec = ConferenceCluster.Media.Codecs.AudioCodec;

namespace ConferenceCluster.Gateway.Media;

/// <summary>Browsers on this media node: their WebRTC legs (Media/WebRtc), mixed like any other leg.</summary>
public sealed partial class MediaNode
{
    private WebRtcLegFactory? _webRtc;
    private object? _webRtcGate;

    /// <summary>
    /// The node's WebRTC leg factory, made with the first browser leg (it generates the node's DTLS certificate, whose
    /// fingerprint every answer carries); its one host candidate is the node's advertised address.
    /// </summary>
    private WebRtcLegFactory WebRtc => LazyInitializer.EnsureInitialized(ref _webRtc, ref _webRtcGate,
        () => new WebRtcLegFactory(_engine.Value, new WebRtcOptions { AdvertisedAddress = AdvertisedIPAddress() }));

    /// <summary>
    /// A browser's offer becomes a leg in the conference's mix here; a refused offer binds nothing and comes back as the
    /// reason, which the client API answers with 400.
    /// </summary>
    public async Task<WebRtcLegAnswer> AddWebRtcLegAsync(WebRtcLegRequest request)
    {
        if (_legs.ContainsKey(request.ParticipantId))
            throw new InvalidOperationException($"participant {request.ParticipantId} already has a media leg here");
        try
        {
            // Parsed before the mixer is touched: a refused offer costs no mixer and no port.
            WebRtcOffer.Parse(request.OfferSdp);
        }
        catch (WebRtcOfferException refused)
        {
            return new WebRtcLegAnswer(null, null, null, refused.Message, refused.Error.ToString());
        }

        var options = new WebRtcLegOptions
        {
            Candidate = request.Candidate is { } candidate ? new IPEndPoint(ResolveAddress(candidate.Address), candidate.RtpPort) : null,
            DtmfReceived = (_, digit) => OnBrowserDtmf(request, digit),
        };
        WebRtcLeg leg;
        try
        {
            leg = await AddToMixerAsync(request.Conference, media => WebRtc.CreateLegAsync(media, request.OfferSdp, options)).ConfigureAwait(false);
        }
        catch (WebRtcOfferException refused)
        {
            return new WebRtcLegAnswer(null, null, null, refused.Message, refused.Error.ToString());
        }
        var codec = EncodingName(leg.Offer.Codec);
        _legs[request.ParticipantId] = (request.Conference, leg.Participant, codec);
        var port = leg.LocalEndPoint.Port;
        _logger.LogInformation("Browser {Participant} in {Conference}: WebRTC leg on port {Port}, {Codec}{Edge}",
            request.ParticipantId, request.Conference, port, codec, request.Candidate is { } edge ? $", through the edge at {edge.Address}:{edge.RtpPort}" : "");
        // One port carries RTP, RTCP, STUN and DTLS (rtcp-mux, RFC 7983).
        return new WebRtcLegAnswer(leg.AnswerSdp, new MediaLegAddress(_options.AdvertisedAddress, port, port), codec);
    }

    /// <summary>The participants of <paramref name="conference"/> here whose voice the mixer takes as speaking now.</summary>
    public async Task<IReadOnlyList<string>> GetSpeakingAsync(string conference)
    {
        if (!_conferences.TryGetValue(conference, out var lazy) || !lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully)
            return [];
        var speakers = await _speakers.SpeakingAsync(lazy.Value.Result).ConfigureAwait(false);
        if (speakers.Count == 0) return [];
        return _legs.Where(leg => leg.Value.Conference == conference && speakers.Contains(leg.Value.Participant))
            .Select(leg => leg.Key).ToList();
    }

    /// <summary>
    /// A key a browser sent in its media (RFC 4733): conference control (R-DTMF) straight to the conference; a browser
    /// has no PIN entry screen (it gives its PIN in request_token), so nothing on its signalling node needs the digit.
    /// </summary>
    private void OnBrowserDtmf(WebRtcLegRequest leg, DtmfDigit digit) =>
        _ = _grains.GetGrain<IConferenceGrain>(leg.Conference).Dtmf(leg.ParticipantId, digit.Digit.ToString())
            .ContinueWith(t => _logger.LogWarning(t.Exception, "Could not pass DTMF of browser {Participant} to {Conference}", leg.ParticipantId, leg.Conference),
                TaskContinuationOptions.OnlyOnFaulted);

    private IPAddress AdvertisedIPAddress() => ResolveAddress(_options.AdvertisedAddress);

    /// <summary>An address as configured (a literal, or a host name resolved once to its first IPv4 address).</summary>
    internal static IPAddress ResolveAddress(string address) =>
        IPAddress.TryParse(address, out var ip)
            ? ip
            : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"'{address}' resolves to no IPv4 address");

    private static string EncodingName(MediaAudioCodec codec) => codec switch
    {
        MediaAudioCodec.Opus => "opus",
        MediaAudioCodec.Pcmu => "PCMU",
        MediaAudioCodec.Pcma => "PCMA",
        _ => codec.ToString(),
    };
}

/// <summary>
/// Who is speaking in a conference's mix on this node: the one seam between the client API's <c>stage</c> and the
/// mixer. Today it reads the mixer's speaker set (the loudest voices above its silence threshold, held briefly after
/// they fall quiet); a per-participant speech level from the mixer can replace it without touching the callers.
/// </summary>
public interface ISpeakerDetector
{
    Task<IReadOnlyCollection<MediaParticipant>> SpeakingAsync(ConferenceMedia conference);
}

/// <summary>Speaking = in the mixer's speaker set on its last tick (<see cref="ConferenceMedia.GetSpeakersAsync"/>).</summary>
public sealed class MixerSpeakerSet : ISpeakerDetector
{
    public async Task<IReadOnlyCollection<MediaParticipant>> SpeakingAsync(ConferenceMedia conference) =>
        (await conference.GetSpeakersAsync().ConfigureAwait(false)).ToHashSet();
}
