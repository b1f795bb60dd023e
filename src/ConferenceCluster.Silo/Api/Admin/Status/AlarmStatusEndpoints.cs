using ConferenceCluster.Silo.Hosting;
using System.Text.Json.Serialization;
using ConferenceCluster.Conferencing.Operations.Alarms;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>
/// An alarm as Pexip's API shows it, active (<c>/api/admin/status/v1/alarm/</c>) or lowered
/// (<c>/api/admin/history/v1/alarm/</c>, with <c>time_lowered</c>): <c>name</c> is the alarm key (<c>capacity_exhausted</c>),
/// <c>identifier</c> its seed id, <c>description</c> its UI text, <c>level</c> critical|error|warning, <c>node</c> the
/// node it is about and <c>instance</c> what on it (a sink, a location).
/// </summary>
public sealed record AlarmDto(
    long Id,
    string Name,
    int Identifier,
    string Description,
    string Level,
    string Node,
    string Instance,
    string Details,
    DateTimeOffset TimeRaised,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? TimeLowered,
    string ResourceUri)
{
    public static AlarmDto From(ActiveAlarm a, DateTimeOffset? timeLowered, string path) =>
        new(a.Id, a.Key, AlarmCatalogue.All.FirstOrDefault(k => k.Key == a.Key)?.Id ?? 0, a.Name, a.Level.ToString().ToLowerInvariant(),
            a.Node, a.Instance, a.Details, a.TimeRaised, timeLowered, $"{path}{a.Id}/");

    /// <summary>The filters of both alarm lists.</summary>
    public static readonly IReadOnlyDictionary<string, Func<AlarmDto, string?>> Filters = new Dictionary<string, Func<AlarmDto, string?>>
    {
        ["id"] = a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["name"] = a => a.Name,
        ["level"] = a => a.Level,
        ["node"] = a => a.Node,
        ["instance"] = a => a.Instance,
    };
}

/// <summary>The alarm registry's active alarms, newest first; every silo shows the same list (it lives in the cluster database).</summary>
public static class AlarmStatusEndpoints
{
    public const string Path = "/api/admin/status/v1/alarm/";

    /// <param name="statusApi">The <c>/api/admin/status/v1</c> group.</param>
    public static RouteGroupBuilder MapAlarmStatus(this RouteGroupBuilder statusApi) => statusApi.MapAlarmList("/alarm/", async (silo, ct) =>
        (await silo.Services.GetRequiredService<AlarmRegistry>().ActiveAsync(ct))
        .OrderByDescending(a => a.TimeRaised).ThenByDescending(a => a.Id)
        .Select(a => AlarmDto.From(a, null, Path))
        .ToList());

    /// <summary>A paged, filterable alarm list at <paramref name="route"/> and its items at <c>{id}/</c>.</summary>
    internal static RouteGroupBuilder MapAlarmList(this RouteGroupBuilder api, string route,
        Func<RunningSilo, CancellationToken, Task<List<AlarmDto>>> alarms)
    {
        api.MapGet(route, async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await alarms(silo, ct), AlarmDto.Filters) : AdminApi.Starting());
        api.MapGet(route + "{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : (await alarms(silo, ct)).FirstOrDefault(a => AlarmDto.Filters["id"](a) == id) is { } found ? Results.Json(found)
            : ApiError.Result(StatusCodes.Status404NotFound, $"no alarm '{id}'", "id"));
        return api;
    }
}
