using System.Globalization;
using System.Net;
using ConferenceCluster.Sip.Headers;
using ConferenceCluster.Sip.Messages;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.Uris;

namespace ConferenceCluster.Sip.UserAgent;

/// <summary>What <see cref="SipEndpoint.InviteAsync"/> sends: an INVITE to <see cref="RequestUri"/> with an SDP offer.</summary>
public sealed class OutgoingCallRequest
{
    /// <summary>Whom we call, e.g. sip:meet.alice@example.com.</summary>
    public required SipUri RequestUri { get; init; }

    /// <summary>
    /// Where the INVITE goes first (an outbound proxy such as a Kamailio front door, or a silo's SIP port);
    /// null sends it to the Request-URI's host and port (RFC 3261 8.1.2 without a route set).
    /// </summary>
    public IPEndPoint? NextHop { get; init; }

    public SipProtocol Protocol { get; init; } = SipProtocol.Udp;

    /// <summary>Who calls (without a tag; ours is added). Null: sip:anonymous@ our advertised host.</summary>
    public SipNameAddress? From { get; init; }

    /// <summary>The To header (without a tag). Null: the Request-URI.</summary>
    public SipNameAddress? To { get; init; }

    /// <summary>The SDP offer (application/sdp); an empty offer asks the peer to offer in its 2xx, which we do not answer.</summary>
    public required ReadOnlyMemory<byte> SdpOffer { get; init; }
}

/// <summary>The outcome of an INVITE we sent (RFC 3261 13.2.2): the final response, and the call when it was a 2xx.</summary>
public sealed class OutgoingCallResult
{
    internal OutgoingCallResult(SipResponse response, IReadOnlyList<int> provisionalStatusCodes, SipCall? call)
    {
        Response = response;
        ProvisionalStatusCodes = provisionalStatusCodes;
        Call = call;
        RetryAfter = ParseRetryAfter(response.Headers.GetFirst(SipHeaderNames.RetryAfter));
    }

    /// <summary>The final response, or one we made up: 408 when nothing answered (Timer B), 503 when the next hop could not be reached or resolved (8.1.3.1).</summary>
    public SipResponse Response { get; }

    public int StatusCode => Response.StatusCode;

    public string ReasonPhrase => Response.ReasonPhrase;

    public bool IsSuccess => Response.IsSuccess;

    /// <summary>The Retry-After of the final response (RFC 3261 20.33), e.g. on 503 from a full cluster.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The 1xx statuses seen before the final response, in order (100 Trying, 180 Ringing, 183...).</summary>
    public IReadOnlyList<int> ProvisionalStatusCodes { get; }

    /// <summary>The established call after a 2xx (already ACKed); null otherwise.</summary>
    public SipCall? Call { get; }

    /// <summary>The SDP answer of the 2xx.</summary>
    public ReadOnlyMemory<byte> AnswerSdp => IsSuccess ? Response.Body : default;

    /// <summary>20.33: delta-seconds, optionally followed by a comment and parameters.</summary>
    internal static TimeSpan? ParseRetryAfter(string? value)
    {
        if (value is null) return null;
        var span = value.AsSpan().TrimStart();
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits])) digits++;
        return digits > 0 && uint.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
