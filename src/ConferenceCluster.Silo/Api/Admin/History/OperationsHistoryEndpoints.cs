using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Silo.Api.Admin.Status;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.History;

/// <summary>A lowered alarm (<c>/api/admin/history/v1/alarm/</c>): the active alarm's fields and when it was lowered (L15391).</summary>
public sealed record AlarmHistoryDto(
    long Id,
    string Name,
    int Identifier,
    string Description,
    string Level,
    string Node,
    string Instance,
    string Details,
    DateTimeOffset TimeRaised,
    DateTimeOffset TimeLowered,
    string ResourceUri);

/// <summary>
/// A Conferencing Node History event (<c>/api/admin/history/v1/workervm_status_event/</c>): an overflow node's
/// start, running or stop, with the reason (L2126, L15329–15333).
/// </summary>
public sealed record WorkerVmStatusEventDto(string Id, string Node, string SystemLocation, string Event, string Reason, DateTimeOffset Time, string ResourceUri);

/// <summary>Alarm history and Conferencing Node History, newest first, paged and filterable like every list.</summary>
public static class OperationsHistoryEndpoints
{
    public const string AlarmPath = "/api/admin/history/v1/alarm/";
    public const string NodeEventPath = "/api/admin/history/v1/workervm_status_event/";

    private static readonly Dictionary<string, Func<AlarmHistoryDto, string?>> AlarmFilters = new()
    {
        ["id"] = a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["name"] = a => a.Name,
        ["level"] = a => a.Level,
        ["node"] = a => a.Node,
        ["instance"] = a => a.Instance,
    };

    private static readonly Dictionary<string, Func<WorkerVmStatusEventDto, string?>> NodeEventFilters = new()
    {
        ["id"] = e => e.Id,
        ["node"] = e => e.Node,
        ["system_location"] = e => e.SystemLocation,
        ["event"] = e => e.Event,
    };

    /// <param name="historyApi">The <c>/api/admin/history/v1</c> group.</param>
    public static RouteGroupBuilder MapOperationsHistory(this RouteGroupBuilder historyApi)
    {
        historyApi.MapGet("/alarm/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await AlarmsAsync(silo, ct), AlarmFilters) : AdminApi.Starting());
        historyApi.MapGet("/alarm/{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : (await AlarmsAsync(silo, ct)).FirstOrDefault(a => AlarmFilters["id"](a) == id) is { } found ? Results.Json(found)
            : ApiError.Result(StatusCodes.Status404NotFound, $"no alarm history '{id}'", "id"));
        historyApi.MapGet("/workervm_status_event/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await NodeEventsAsync(silo, ct), NodeEventFilters) : AdminApi.Starting());
        return historyApi;
    }

    private static async Task<IReadOnlyList<AlarmHistoryDto>> AlarmsAsync(Runtime.Hosting.Silo silo, CancellationToken ct) =>
        (await silo.Services.GetRequiredService<AlarmRegistry>().HistoryAsync(ct))
        .OrderByDescending(a => a.TimeLowered).ThenByDescending(a => a.Id)
        .Select(a => new AlarmHistoryDto(a.Id, a.Key, AlarmStatusEndpoints.IdentifierOf(a.Key), a.Name, AlarmStatusEndpoints.LevelText(a.Level),
            a.Node, a.Instance, a.Details, a.TimeRaised, a.TimeLowered, $"{AlarmPath}{a.Id}/"))
        .ToList();

    private static async Task<IReadOnlyList<WorkerVmStatusEventDto>> NodeEventsAsync(Runtime.Hosting.Silo silo, CancellationToken ct) =>
        (await silo.Services.GetRequiredService<NodeStatusHistory>().ListAsync(ct))
        .OrderByDescending(e => e.Time).ThenByDescending(e => e.Id, StringComparer.Ordinal)
        .Select(e => new WorkerVmStatusEventDto(e.Id, e.Node, e.Location, e.Event, e.Reason, e.Time, $"{NodeEventPath}{Uri.EscapeDataString(e.Id)}/"))
        .ToList();
}
