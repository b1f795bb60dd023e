using System.Net;
using ConferenceCluster.Media.WebRtc.Sdp;
using ConferenceCluster.Media.WebRtc.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.WebRtc.Legs;

/// <summary>
/// A browser's audio leg in a conference on this node: the SDP answer to give the browser, the participant in the
/// conference's mixer (mute, statistics, removal like any other leg) and its DTLS-SRTP port.
/// </summary>
public sealed class WebRtcLeg : IAsyncDisposable
{
    private readonly WebRtcTransport _transport;

    internal WebRtcLeg(WebRtcOffer offer, string answer, MediaParticipant participant, WebRtcTransport transport)
    {
        Offer = offer;
        AnswerSdp = answer;
        Participant = participant;
        _transport = transport;
    }

    /// <summary>The SDP answer for the browser (the client API's <c>sdp</c> in the calls response).</summary>
    public string AnswerSdp { get; }

    public WebRtcOffer Offer { get; }

    public MediaParticipant Participant { get; }

    /// <summary>The leg's UDP port on this node (what a proxying edge relays to).</summary>
    public IPEndPoint LocalEndPoint => new(_transport.LocalAddress, _transport.LocalRtpPort);

    /// <summary>Completes when DTLS has given the SRTP keys (media flows); faults with the reason if the handshake fails.</summary>
    public Task Connected => _transport.Connected;

    public WebRtcLegStatistics GetStatistics() => new()
    {
        Media = Participant.GetStatistics(),
        Transport = _transport.GetStatistics(),
    };

    /// <summary>Removes the participant from its conference: a final RTCP BYE, DTLS close_notify, the port released.</summary>
    public async ValueTask DisposeAsync() => await Participant.Conference.RemoveParticipantAsync(Participant).ConfigureAwait(false);
}

/// <summary>A WebRTC leg's media statistics (as any leg's) and its port's ICE/DTLS/SRTP counters.</summary>
public sealed record WebRtcLegStatistics
{
    public required MediaParticipantStatistics Media { get; init; }

    public required WebRtcTransportStatistics Transport { get; init; }
}
