using System.Globalization;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Admission;
using ConferenceCluster.Gateway.Client;
using ConferenceCluster.Silo.Api.Admin;
using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// Pexip's client REST API v2, served by every silo (shared/spec/client-api-and-webrtc.md §1): tokens, the participant's
/// WebRTC media call, participant and conference commands, and the event stream. Every answer is Pexip's envelope
/// (<see cref="ClientEnvelope"/>); every bad request a 4xx naming its field. <c>GET /api/client/v2/status</c> is in
/// <see cref="HealthEndpoints"/>.
/// </summary>
public static class ClientApi
{
    public const string PathPrefix = "/api/client/v2/conferences/{alias}";

    /// <summary>Display names (and other free text) longer than this are refused, as the configuration's names are (L9535).</summary>
    public const int MaxTextLength = 250;

    /// <summary>A PIN is at most 20 characters (L5530); anything much longer is not a PIN at all.</summary>
    public const int MaxPinLength = 64;

    public static IEndpointRouteBuilder MapClientApi(this IEndpointRouteBuilder endpoints)
    {
        var conference = endpoints.MapGroup(PathPrefix);
        conference.MapPost("/request_token", RequestTokenAsync);
        conference.MapPost("/refresh_token", RefreshTokenAsync);
        conference.MapPost("/release_token", ReleaseTokenAsync);
        conference.MapGet("/events", EventsAsync);
        conference.MapConferenceCommands();
        conference.MapParticipantCommands();
        return endpoints;
    }

    private static async Task<IResult> RequestTokenAsync(HttpContext http, string alias, LocalSilo local, ClientCalls calls)
    {
        if (local.Active() is null) return ClientResponses.Unavailable("the silo is starting");
        var (body, error) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return error!;
        if (!body.TryString("display_name", required: true, MaxTextLength, out var displayName, out error)
            || !body.TryString("call_tag", required: false, MaxTextLength, out _, out error)
            || !body.TryBoolean("direct_media", out var directMedia, out error))
            return error!;
        if (directMedia == true)
            return ClientResponses.BadField("direct_media", "not supported: media always goes through the conference's media node");
        var pin = http.Request.Headers["pin"].FirstOrDefault();
        if (pin is { Length: > MaxPinLength })
            return ClientResponses.BadField("pin", $"longer than {MaxPinLength} characters");

        var outcome = await calls.RequestTokenAsync(
            new ClientJoinRequest(alias, displayName!.Trim(), pin, http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), http.RequestAborted);
        return outcome switch
        {
            ClientJoinOutcome.Joined joined => ClientResponses.Success(new RequestTokenResult(
                joined.TokenText, Seconds(ClientTokens.Lifetime), joined.Token.ParticipantId, joined.DisplayName,
                joined.Role == ParticipantRole.Host ? "HOST" : "GUEST", "conference", joined.Waiting ? "waiting_room" : "conference",
                joined.Conference, "audio", "", new ClientVersion("10.4", "10.4.2"),
                ChatEnabled: false, GuestsCanPresent: false, FeccEnabled: false, TrickleIceEnabled: false, DirectMedia: false,
                UseRelayCandidatesOnly: false, AnalyticsEnabled: false, Stun: [], Turn: [])),
            ClientJoinOutcome.PinRequired required => ClientResponses.Failure(StatusCodes.Status403Forbidden,
                new PinRequiredResult("required", required.GuestsWithoutPin ? "none" : "required"), "pin"),
            ClientJoinOutcome.InvalidPin => ClientResponses.Failure(StatusCodes.Status403Forbidden, "Invalid PIN", "pin"),
            ClientJoinOutcome.NotFound => ClientResponses.NotFound(ClientResponses.ConferenceNotFound, "alias"),
            ClientJoinOutcome.NotAcceptingCalls => ClientResponses.Unavailable("System in maintenance mode"),
            ClientJoinOutcome.Rejected rejected => Rejection(rejected),
            _ => throw new InvalidOperationException($"unknown outcome {outcome}"),
        };
    }

    private static IResult Rejection(ClientJoinOutcome.Rejected rejected) => rejected.Reason switch
    {
        JoinRejectionReason.ConferenceNotFound => ClientResponses.NotFound(ClientResponses.ConferenceNotFound, "alias"),
        // The room is full (L5550): nothing the client can change by retrying at once.
        JoinRejectionReason.ParticipantLimitReached => ClientResponses.Failure(StatusCodes.Status409Conflict, rejected.Message),
        // No capacity, a node in maintenance or not ready: maybe later, maybe through another node.
        _ => ClientResponses.Unavailable(rejected.Message),
    };

    private static async Task<IResult> RefreshTokenAsync(HttpContext http, string alias, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        var token = api.Calls.Tokens.Issue(caller.Token.Conference, caller.Token.ParticipantId, caller.Token.SignalingNode);
        try
        {
            if (await api.Signaling(caller).Refresh(caller.Token.ParticipantId, token.ExpiresAt) is null)
                return ClientResponses.Forbidden(ClientResponses.InvalidToken);
        }
        catch (Exception ex) when (ClientAuthentication.IsUnreachable(ex))
        {
            return ClientAuthentication.SignalingNodeUnavailable(caller.Token.SignalingNode);
        }
        return ClientResponses.Success(new RefreshTokenResult(api.Calls.Tokens.Encode(token), Seconds(ClientTokens.Lifetime)));
    }

    private static async Task<IResult> ReleaseTokenAsync(HttpContext http, string alias, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        try
        {
            return ClientResponses.Success(await api.Signaling(caller).Release(caller.Token.ParticipantId));
        }
        catch (Exception ex) when (ClientAuthentication.IsUnreachable(ex))
        {
            return ClientAuthentication.SignalingNodeUnavailable(caller.Token.SignalingNode);
        }
    }

    private static async Task EventsAsync(HttpContext http, string alias, ClientApiContext api, IClusterClient client, ConferenceSpeakers speakers, ClusterNodes nodes)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null)
        {
            await error!.ExecuteAsync(http);
            return;
        }
        await ClientEventStream.RunAsync(http, caller, client, api.Grains, speakers, nodes, ClientEventStream.JsonOptions(http.RequestServices),
            api.Time, api.Logger);
    }

    internal static string Seconds(TimeSpan span) => ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}

/// <summary>What every client API handler that needs a token uses: the services, and the token check against them.</summary>
internal sealed class ClientApiContext(ClientCalls calls, CallAdmission admission, IGrainFactory grains, TimeProvider time, ILogger<ClientApiContext> logger, LocalSilo local)
{
    public ClientCalls Calls => calls;
    public IGrainFactory Grains => grains;
    public TimeProvider Time => time;
    public ILogger Logger => logger;

    public async Task<(ClientCaller? Caller, IResult? Error)> AuthenticateAsync(HttpContext http, string alias) =>
        local.Active() is null
            ? (null, ClientResponses.Unavailable("the silo is starting"))
            : await ClientAuthentication.AuthenticateAsync(http, alias, calls.Tokens, admission, grains, logger);

    public IClientSignalingGrain Signaling(ClientCaller caller) => grains.GetGrain<IClientSignalingGrain>(caller.Token.SignalingNode);

    public IConferenceGrain Conference(ClientCaller caller) => grains.GetGrain<IConferenceGrain>(caller.Token.Conference);

    /// <summary>
    /// The caller's role now, as the conference holds it (a Host may have made it Host or Guest since it joined,
    /// R-HG-8); null while it waits for the host (it is in no roster yet).
    /// </summary>
    public async Task<ParticipantRole?> CurrentRoleAsync(ClientCaller caller) =>
        (await Conference(caller).GetStatus()).Participants.FirstOrDefault(p => p.ParticipantId == caller.Token.ParticipantId)?.Role;
}
