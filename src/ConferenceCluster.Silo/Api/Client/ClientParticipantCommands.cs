using System.Text.RegularExpressions;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Client;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// <c>.../participants/&lt;uuid&gt;/...</c>: the caller's own media call (calls, ack, disconnect, dtmf, new_candidate) and
/// commands on a participant (mute, unmute, disconnect, role, unlock), with the seed's Host/Guest rules (R-HG-7/8, R-MUTE-4).
/// </summary>
internal static partial class ClientParticipantCommands
{
    /// <summary>Pexip's only media call type for a browser (A sdk-media MediaConnectionSignaling.kt).</summary>
    public const string WebRtcCallType = "WEBRTC";

    public static RouteGroupBuilder MapParticipantCommands(this RouteGroupBuilder conference)
    {
        var participant = conference.MapGroup("/participants/{participantId}");
        participant.MapPost("/calls", CallsAsync);
        participant.MapPost("/calls/{callId}/ack", AckAsync);
        participant.MapPost("/calls/{callId}/disconnect", DisconnectCallAsync);
        participant.MapPost("/calls/{callId}/dtmf", DtmfAsync);
        participant.MapPost("/calls/{callId}/new_candidate", NewCandidateAsync);
        participant.MapPost("/mute", (HttpContext http, string alias, string participantId, ClientApiContext api) => SetMutedAsync(http, alias, participantId, true, api));
        participant.MapPost("/unmute", (HttpContext http, string alias, string participantId, ClientApiContext api) => SetMutedAsync(http, alias, participantId, false, api));
        participant.MapPost("/disconnect", DisconnectAsync);
        participant.MapPost("/role", RoleAsync);
        participant.MapPost("/unlock", AdmitAsync);
        return conference;
    }

    private static async Task<IResult> CallsAsync(HttpContext http, string alias, string participantId, ClientApiContext api)
    {
        var (caller, error) = await SelfAsync(http, alias, participantId, api);
        if (caller is null) return error!;
        var (body, bodyError) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return bodyError!;
        if (!body.TryString("call_type", required: true, 32, out var callType, out error)
            || !body.TryString("sdp", required: true, ClientRequestBody.MaxBytes, out var sdp, out error)
            || !body.TryString("present", required: false, 32, out var present, out error)
            || !body.TryBoolean("fecc_supported", out _, out error))
            return error!;
        if (!string.Equals(callType, WebRtcCallType, StringComparison.OrdinalIgnoreCase))
            return ClientResponses.BadField("call_type", $"must be {WebRtcCallType} (was '{callType}')");
        if (present is not null)
            return ClientResponses.BadField("present", "presentation is not supported: audio only");

        ClientCallResult result;
        try
        {
            result = await api.Signaling(caller).Call(participantId, sdp!);
        }
        catch (Exception ex) when (ClientAuthentication.IsUnreachable(ex))
        {
            return ClientAuthentication.SignalingNodeUnavailable(caller.Token.SignalingNode);
        }
        return result.Outcome switch
        {
            ClientCallOutcome.Answered => ClientResponses.Success(new CallResult(result.CallId!, result.AnswerSdp!, OfferIgnored: false)),
            // The offer names why it cannot be answered: no audio, no fingerprint, no codec we speak ...
            ClientCallOutcome.BadOffer => ClientResponses.BadField("sdp", result.Error ?? "the offer cannot be answered"),
            ClientCallOutcome.Waiting => ClientResponses.Failure(StatusCodes.Status409Conflict, result.Error ?? "Waiting for the host"),
            ClientCallOutcome.MediaUnavailable => ClientResponses.Unavailable(result.Error ?? "No media node can take the call now"),
            _ => ClientResponses.Forbidden(ClientResponses.InvalidToken),
        };
    }

    private static async Task<IResult> AckAsync(HttpContext http, string alias, string participantId, string callId, ClientApiContext api)
    {
        var (caller, error) = await SelfAsync(http, alias, participantId, api);
        if (caller is null) return error!;
        var (body, bodyError) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return bodyError!;
        // An answer to a server-initiated offer (direct media, renegotiation) is never asked of a browser here.
        if (!body.TryString("sdp", required: false, ClientRequestBody.MaxBytes, out var sdp, out error)) return error!;
        if (sdp is not null) return ClientResponses.BadField("sdp", "no offer was sent to this call to answer");
        return await OnCallAsync(caller, callId, api, signaling => signaling.Ack(participantId, callId));
    }

    private static async Task<IResult> DisconnectCallAsync(HttpContext http, string alias, string participantId, string callId, ClientApiContext api)
    {
        var (caller, error) = await SelfAsync(http, alias, participantId, api);
        if (caller is null) return error!;
        return await OnCallAsync(caller, callId, api, signaling => signaling.DisconnectCall(participantId, callId));
    }

    /// <summary>
    /// Digits from the client's keypad: conference control for a Host (R-DTMF: *7 lock, *5 mute Guests, ## end), nothing
    /// for anyone else (AT-65). Keys the browser sends in its media (RFC 4733) go the same way, from the media node.
    /// </summary>
    private static async Task<IResult> DtmfAsync(HttpContext http, string alias, string participantId, string callId, ClientApiContext api)
    {
        var (caller, error) = await SelfAsync(http, alias, participantId, api);
        if (caller is null) return error!;
        var (body, bodyError) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return bodyError!;
        if (!body.TryString("digits", required: true, 32, out var digits, out error)) return error!;
        if (!DtmfDigits().IsMatch(digits!)) return ClientResponses.BadField("digits", "only 0-9, *, # and A-D");
        if (caller.Participant.CallId != callId) return CallNotFound();
        await api.Conference(caller).Dtmf(participantId, digits!.ToUpperInvariant());
        return ClientResponses.Success(true);
    }

    /// <summary>Trickled candidates are not needed: the node is ICE-lite and learns the browser's address from its checks.</summary>
    private static async Task<IResult> NewCandidateAsync(HttpContext http, string alias, string participantId, string callId, ClientApiContext api)
    {
        var (caller, error) = await SelfAsync(http, alias, participantId, api);
        if (caller is null) return error!;
        var (body, bodyError) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return bodyError!;
        if (!body.TryString("candidate", required: false, 1024, out _, out error)
            || !body.TryString("mid", required: false, 64, out _, out error)
            || !body.TryString("ufrag", required: false, 256, out _, out error)
            || !body.TryString("pwd", required: false, 256, out _, out error))
            return error!;
        return caller.Participant.CallId == callId ? ClientResponses.Success(true) : CallNotFound();
    }

    /// <summary>
    /// R-MUTE-4 (L7879–7952, AT-34): a Host mutes or unmutes anyone; anyone may mute themselves; a Guest may not unmute
    /// itself (a muted Guest cannot lift a Host's mute). The participant is not told (R-MUTE-3); the roster shows it.
    /// </summary>
    private static async Task<IResult> SetMutedAsync(HttpContext http, string alias, string participantId, bool muted, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        var self = participantId == caller.Token.ParticipantId;
        if (!(self && muted) && await api.CurrentRoleAsync(caller) != ParticipantRole.Host)
            return ClientResponses.Forbidden(self ? "Only a Host may unmute itself (a Guest's mute is lifted by a Host)" : "Only a Host may mute or unmute others");
        return await api.Conference(caller).SetMuted(participantId, muted)
            ? ClientResponses.Success(true)
            : ParticipantNotFound();
    }

    /// <summary>Oneself: leave (as release_token). Another: Hosts only (R-HG-7), "Disconnected by another participant" (L16098).</summary>
    private static async Task<IResult> DisconnectAsync(HttpContext http, string alias, string participantId, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        if (participantId == caller.Token.ParticipantId)
        {
            try
            {
                return ClientResponses.Success(await api.Signaling(caller).Release(participantId));
            }
            catch (Exception ex) when (ClientAuthentication.IsUnreachable(ex))
            {
                return ClientAuthentication.SignalingNodeUnavailable(caller.Token.SignalingNode);
            }
        }
        if (await api.CurrentRoleAsync(caller) != ParticipantRole.Host)
            return ClientResponses.Forbidden("Only a Host may disconnect others");
        return await api.Conference(caller).Disconnect(participantId, DisconnectedByAnotherParticipant)
            ? ClientResponses.Success(true)
            : ParticipantNotFound();
    }

    /// <summary>The seed's reason when a Host ends someone's call (L16098, #pex124).</summary>
    public const string DisconnectedByAnotherParticipant = "Disconnected by another participant";

    /// <summary>Make Host / Make Guest (R-HG-8, L7040–7052): Hosts only; nobody may make themselves a Guest.</summary>
    private static async Task<IResult> RoleAsync(HttpContext http, string alias, string participantId, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        var (body, bodyError) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return bodyError!;
        if (!body.TryString("role", required: true, 16, out var text, out error)) return error!;
        ParticipantRole? role = text!.ToLowerInvariant() switch
        {
            "chair" or "host" => ParticipantRole.Host,
            "guest" => ParticipantRole.Guest,
            _ => null,
        };
        if (role is null) return ClientResponses.BadField("role", $"must be chair or guest (was '{text}')");
        var status = await api.Conference(caller).GetStatus();
        if (status.Participants.FirstOrDefault(p => p.ParticipantId == caller.Token.ParticipantId)?.Role != ParticipantRole.Host)
            return ClientResponses.Forbidden("Only a Host may change roles");
        if (status.Participants.All(p => p.ParticipantId != participantId) && status.Waiting?.Any(w => w.ParticipantId == participantId) != true)
            return ParticipantNotFound();
        if (role == ParticipantRole.Guest && participantId == caller.Token.ParticipantId)
            return ClientResponses.Forbidden("A participant cannot make itself a Guest");
        return await api.Conference(caller).ChangeRole(participantId, role.Value, caller.Token.ParticipantId)
            ? ClientResponses.Success(true)
            : ClientResponses.Forbidden("The conference refused the role change");
    }

    /// <summary>Lets one waiting participant in (R-LOCK-4: only client-API Hosts admit one at a time).</summary>
    private static async Task<IResult> AdmitAsync(HttpContext http, string alias, string participantId, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        if (await api.CurrentRoleAsync(caller) != ParticipantRole.Host)
            return ClientResponses.Forbidden("Only a Host may let a waiting participant in");
        return await api.Conference(caller).Admit(participantId) ? ClientResponses.Success(true) : ParticipantNotFound();
    }

    /// <summary>A token may drive only its own participant's media call.</summary>
    private static async Task<(ClientCaller? Caller, IResult? Error)> SelfAsync(HttpContext http, string alias, string participantId, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return (null, error);
        return participantId == caller.Token.ParticipantId
            ? (caller, null)
            : (null, ClientResponses.Forbidden("A token makes calls for its own participant only"));
    }

    private static async Task<IResult> OnCallAsync(ClientCaller caller, string callId, ClientApiContext api, Func<IClientSignalingGrain, Task<bool>> action)
    {
        try
        {
            return await action(api.Signaling(caller)) ? ClientResponses.Success(true) : CallNotFound();
        }
        catch (Exception ex) when (ClientAuthentication.IsUnreachable(ex))
        {
            return ClientAuthentication.SignalingNodeUnavailable(caller.Token.SignalingNode);
        }
    }

    private static IResult CallNotFound() => ClientResponses.NotFound("No such call: it ended or was replaced", "call_uuid");

    private static IResult ParticipantNotFound() => ClientResponses.NotFound("No such participant in the conference", "participant_uuid");

    [GeneratedRegex("^[0-9*#A-Da-d]+$")]
    private static partial Regex DtmfDigits();
}
