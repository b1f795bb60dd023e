using System.Net;
using System.Security.Cryptography;
using ConferenceCluster.Media.WebRtc.Dtls;
using ConferenceCluster.Media.WebRtc.Ice;
using ConferenceCluster.Media.WebRtc.Sdp;
using ConferenceCluster.Media.WebRtc.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.WebRtc.Legs;

/// <summary>
/// The media node's entry point for browsers: turns a browser's SDP offer into a <see cref="WebRtcLeg"/> in a
/// conference (one UDP port, ICE-lite, DTLS-SRTP) and its SDP answer. One per media engine; it holds the node's DTLS
/// certificate. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// WebRtcLeg leg = await webRtc.CreateLegAsync(conferenceMedia, offerSdp);   // WebRtcOfferException → 400
/// return leg.AnswerSdp;                                                     // to the browser
/// ...
/// await leg.DisposeAsync();                                                 // the call ends
/// </code>
/// </example>
public sealed class WebRtcLegFactory
{
    private readonly MediaEngine _engine;
    private readonly IPAddress _advertised;

    public WebRtcLegFactory(MediaEngine engine, WebRtcOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        Options = options ?? new WebRtcOptions();
        _advertised = Options.AdvertisedAddress ?? engine.Options.BindAddress;
        if (_advertised.Equals(IPAddress.Any) || _advertised.Equals(IPAddress.IPv6Any))
        {
            throw new ArgumentException("A WebRTC answer needs a reachable address: set WebRtcOptions.AdvertisedAddress when the media binds to all interfaces.", nameof(options));
        }

        Certificate = Options.Certificate ?? DtlsCertificate.Generate(Options.TimeProvider);
    }

    public WebRtcOptions Options { get; }

    /// <summary>The node's DTLS certificate (its fingerprint is in every answer).</summary>
    public DtlsCertificate Certificate { get; }

    /// <summary>
    /// Parses the browser's offer, binds the leg's port, joins it to <paramref name="conference"/>'s mix and returns
    /// the leg with its SDP answer. Media flows once the browser has done ICE and DTLS (<see cref="WebRtcLeg.Connected"/>).
    /// </summary>
    /// <exception cref="WebRtcOfferException">The offer cannot be answered (no audio, no fingerprint, no codec...): a 400 naming why.</exception>
    /// <exception cref="Transport.MediaPortsExhaustedException">No port left on this node.</exception>
    public async Task<WebRtcLeg> CreateLegAsync(ConferenceMedia conference, string offerSdp, WebRtcLegOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(conference);
        options ??= new WebRtcLegOptions();
        WebRtcOffer offer = WebRtcOffer.Parse(offerSdp);
        var endpoint = new MediaEndpointOptions
        {
            Codec = offer.Codec,
            PayloadType = offer.PayloadType,
            TelephoneEventPayloadType = offer.TelephoneEventPayloadType,
            TelephoneEventClockRate = offer.TelephoneEventPayloadType is null ? 8000 : offer.TelephoneEventClockRate,
            EncoderProfile = options.EncoderProfile,
            DtmfReceived = options.DtmfReceived,
        };
        endpoint.Validate();

        IceCredentials credentials = IceCredentials.Generate();
        var ice = new IceLiteAgent(credentials, offer.IceUsernameFragment, Options.TimeProvider, Options.ConsentTimeout);
        WebRtcTransport transport;
        try
        {
            MediaOptions media = _engine.Options;
            transport = WebRtcTransport.Bind(media.BindAddress, _engine.PortAllocator, ice, Certificate, offer.Fingerprint, Options.HandshakeTimeout, media.SocketBufferBytes);
        }
        catch
        {
            ice.Dispose();
            throw;
        }

        // The participant owns the transport from here: it disposes it if joining fails.
        MediaParticipant participant = await conference.AddParticipantAsync(endpoint, transport).ConfigureAwait(false);
        string answer = WebRtcAnswer.Create(offer, new WebRtcAnswerParameters
        {
            Candidate = options.Candidate ?? new IPEndPoint(_advertised, transport.LocalRtpPort),
            IceCredentials = credentials,
            Fingerprint = Certificate.Fingerprint,
            Ssrc = participant.OutboundSsrc,
            Cname = _engine.Options.Cname,
            SessionId = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue),
        });
        return new WebRtcLeg(offer, answer, participant, transport);
    }
}
