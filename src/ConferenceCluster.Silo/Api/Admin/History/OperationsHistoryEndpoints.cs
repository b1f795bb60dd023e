using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Silo.Api.Admin.Status;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.History;

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
        historyApi.MapAlarmList("/alarm/", async (silo, ct) =>
            (await silo.Services.GetRequiredService<AlarmRegistry>().HistoryAsync(ct))
            .OrderByDescending(h => h.TimeLowered).ThenByDescending(h => h.Alarm.Id)
            .Select(h => AlarmDto.From(h.Alarm, h.TimeLowered, AlarmPath))
            .ToList());
        historyApi.MapGet("/workervm_status_event/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await NodeEventsAsync(silo, ct), NodeEventFilters) : AdminApi.Starting());
        return historyApi;
    }

    private static async Task<IReadOnlyList<WorkerVmStatusEventDto>> NodeEventsAsync(RunningSilo silo, CancellationToken ct) =>
        (await silo.Services.GetRequiredService<NodeStatusHistory>().ListAsync(ct))
        .OrderByDescending(e => e.Time).ThenByDescending(e => e.Id, StringComparer.Ordinal)
        .Select(e => new WorkerVmStatusEventDto(e.Id, e.Node, e.Location, e.Event, e.Reason, e.Time, $"{NodeEventPath}{Uri.EscapeDataString(e.Id)}/"))
        .ToList();
}
