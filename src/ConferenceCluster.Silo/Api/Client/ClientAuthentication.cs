using ConferenceCluster.Gateway.Admission;
using ConferenceCluster.Gateway.Client;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>Who a request with a valid token comes from.</summary>
internal sealed record ClientCaller(ClientToken Token, ClientParticipantInfo Participant);

/// <summary>
/// Checks a request's token (the <c>token</c> header, or <c>?token=</c> for an event source that cannot set headers):
/// signed by this cluster, unexpired, for the conference the path's alias names, and its participant still there on
/// its signalling node. Any silo can check any token; only the participant's existence needs its signalling node.
/// </summary>
internal static class ClientAuthentication
{
    public const string Header = "token";

    /// <summary>How long the signalling node may take to say whether the participant exists, before the client is told it is unavailable.</summary>
    public static readonly TimeSpan SignalingNodeTimeout = TimeSpan.FromSeconds(5);

    public static async Task<(ClientCaller? Caller, IResult? Error)> AuthenticateAsync(
        HttpContext http, string alias, ClientTokens tokens, CallAdmission admission, IGrainFactory grains, ILogger logger)
    {
        var text = http.Request.Headers[Header].FirstOrDefault() ?? http.Request.Query[Header].FirstOrDefault();
        var check = tokens.Verify(text);
        if (check.Token is not { } token)
        {
            logger.LogDebug("Client API request to {Alias} refused: token {Failure}", alias, check.Failure);
            return (null, ClientResponses.Forbidden(ClientResponses.InvalidToken));
        }
        // Bound to its conference: a token of one room opens no other (whichever of the room's aliases the path uses).
        var room = await admission.FindRoomAsync(alias, null, http.RequestAborted);
        if (room?.Name != token.Conference)
            return (null, ClientResponses.Forbidden(ClientResponses.InvalidToken));
        ClientParticipantInfo? participant;
        try
        {
            participant = await grains.GetGrain<IClientSignalingGrain>(token.SignalingNode).GetParticipant(token.ParticipantId)
                .WaitAsync(SignalingNodeTimeout, http.RequestAborted);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            return (null, SignalingNodeUnavailable(token.SignalingNode));
        }
        // Released, disconnected, expired without refresh, or its conference ended: the token is worthless.
        return participant is null
            ? (null, ClientResponses.Forbidden(ClientResponses.InvalidToken))
            : (new ClientCaller(token, participant), null);
    }

    /// <summary>The signalling node died or cannot be reached: the browser must rejoin (through another node).</summary>
    public static IResult SignalingNodeUnavailable(string node) =>
        ClientResponses.Unavailable($"Conferencing Node {node}, which holds this participant's call, is not available: join again");

    public static bool IsUnreachable(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or OrleansException;
}
