using ConferenceCluster.Silo.Hosting;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Silo.Api.Admin.Status;

namespace ConferenceCluster.Silo.Api.Admin.Command;

/// <summary>The answer to a command, as Pexip gives it.</summary>
public sealed record CommandResult(string Status, string? Message = null);

/// <summary>
/// <c>POST /api/admin/command/v1/participant/disconnect/</c> (<c>{"participant_id": ...}</c>) and
/// <c>POST .../conference/disconnect/</c> (<c>{"conference_id": ...}</c>; <c>conference</c>, the name, is accepted too).
/// Ids are those of the status API (call id, conference name). Answers 202 with <c>{"status": "success"}</c>.
/// <c>POST .../conference/transform_layout/</c> (<c>{"conference_id": ..., "layout": "1:7"}</c>) changes a running
/// conference's layout, as a Host's <c>/layout</c> does (L7089; "1:0", "4:0", "1:7", "1:21", "2:21").
/// </summary>
public static class CommandEndpoints
{
    public const string OperatorReason = "Disconnected by an administrator";

    /// <param name="commandApi">The <c>/api/admin/command/v1</c> group.</param>
    public static RouteGroupBuilder MapCommands(this RouteGroupBuilder commandApi)
    {
        commandApi.MapPost("/participant/disconnect/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
        {
            if (local.Active() is not { } silo) return AdminApi.Starting();
            var (participantId, error) = await ReadIdAsync(request, ["participant_id"], ct);
            if (error is not null) return error;
            // The status list tells which conference holds the call; the conference grain ends it and notifies the call leg.
            foreach (var (status, _) in await ConferenceStatusEndpoints.RunningAsync(silo, ct))
                if (status.Participants.Any(p => p.ParticipantId == participantId)
                    && await silo.GrainFactory.GetGrain<IConferenceGrain>(status.Name).Disconnect(participantId!, OperatorReason))
                    return Accepted();
            return ApiError.Result(StatusCodes.Status404NotFound, $"no active participant '{participantId}'", "participant_id");
        });

        commandApi.MapPost("/conference/disconnect/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
        {
            if (local.Active() is not { } silo) return AdminApi.Starting();
            var (conferenceId, error) = await ReadIdAsync(request, ["conference_id", "conference"], ct);
            if (error is not null) return error;
            var running = (await ConferenceStatusEndpoints.RunningAsync(silo, ct)).FirstOrDefault(r => r.Status.Name == conferenceId).Status;
            if (running is null)
                return ApiError.Result(StatusCodes.Status404NotFound, $"no active conference '{conferenceId}'", "conference_id");
            var conference = silo.GrainFactory.GetGrain<IConferenceGrain>(running.Name);
            foreach (var participant in running.Participants)
                await conference.Disconnect(participant.ParticipantId, OperatorReason);
            return Accepted();
        });

        commandApi.MapPost("/conference/transform_layout/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
        {
            if (local.Active() is not { } silo) return AdminApi.Starting();
            var (body, error) = await ReadObjectAsync(request, ct);
            if (error is not null) return error;
            var conferenceId = StringField(body!, "conference_id") ?? StringField(body!, "conference");
            if (conferenceId is null) return ApiError.Result(StatusCodes.Status400BadRequest, "conference_id is required", "conference_id");
            var layout = StringField(body!, "layout");
            if (!LayoutKinds.TryParse(layout, out var kind))
                return ApiError.Result(StatusCodes.Status400BadRequest, $"layout is one of 1:0, 4:0, 1:7, 1:21, 2:21 (was '{layout}')", "layout");
            var running = (await ConferenceStatusEndpoints.RunningAsync(silo, ct)).FirstOrDefault(r => r.Status.Name == conferenceId).Status;
            if (running is null)
                return ApiError.Result(StatusCodes.Status404NotFound, $"no active conference '{conferenceId}'", "conference_id");
            return await silo.GrainFactory.GetGrain<IConferenceGrain>(running.Name).TransformLayout(kind)
                ? Accepted()
                : ApiError.Result(StatusCodes.Status400BadRequest, $"conference '{conferenceId}' has no video layout (audio-only, or it ended)", "conference_id");
        });
        return commandApi;
    }

    private static IResult Accepted() => Results.Json(new CommandResult("success"), statusCode: StatusCodes.Status202Accepted);

    /// <summary>The first of <paramref name="fields"/> the body gives, as a non-empty string; else a 400 naming the first field.</summary>
    internal static async Task<(string? Id, IResult? Error)> ReadIdAsync(HttpRequest request, string[] fields, CancellationToken ct)
    {
        var (body, error) = await ReadObjectAsync(request, ct);
        if (body is null) return (null, error);
        foreach (var field in fields)
            if (StringField(body, field) is { } id)
                return (id, null);
        return (null, ApiError.Result(StatusCodes.Status400BadRequest, $"{fields[0]} is required", fields[0]));
    }

    private static async Task<(JsonObject? Body, IResult? Error)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        JsonObject? body = null;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException)
        {
        }
        return body is null ? (null, ApiError.Result(StatusCodes.Status400BadRequest, "the body must be a JSON object")) : (body, null);
    }

    /// <summary>A non-empty string field, or null.</summary>
    private static string? StringField(JsonObject body, string field) =>
        body[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String && (string?)value is { Length: > 0 } text ? text : null;
}
