using ConferenceCluster.Conferencing.Operations.Alarms;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>
/// An active alarm (<c>/api/admin/status/v1/alarm/</c>), as Pexip's API shows it: <c>name</c> is the alarm key
/// (<c>capacity_exhausted</c>), <c>identifier</c> its seed id, <c>description</c> its UI text, <c>level</c>
/// critical|error|warning, <c>node</c> the node it is about and <c>instance</c> what on it (a sink, a location).
/// </summary>
public sealed record AlarmStatusDto(
    long Id,
    string Name,
    int Identifier,
    string Description,
    string Level,
    string Node,
    string Instance,
    string Details,
    DateTimeOffset TimeRaised,
    string ResourceUri);

/// <summary>The alarm registry's active alarms, newest first; every silo shows the same list (it lives in the cluster database).</summary>
public static class AlarmStatusEndpoints
{
    public const string Path = "/api/admin/status/v1/alarm/";

    private static readonly Dictionary<string, Func<AlarmStatusDto, string?>> FilterFields = new()
    {
        ["id"] = a => a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["name"] = a => a.Name,
        ["level"] = a => a.Level,
        ["node"] = a => a.Node,
        ["instance"] = a => a.Instance,
    };

    /// <param name="statusApi">The <c>/api/admin/status/v1</c> group.</param>
    public static RouteGroupBuilder MapAlarmStatus(this RouteGroupBuilder statusApi)
    {
        statusApi.MapGet("/alarm/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await AlarmsAsync(silo, ct), FilterFields) : AdminApi.Starting());
        statusApi.MapGet("/alarm/{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : (await AlarmsAsync(silo, ct)).FirstOrDefault(a => FilterFields["id"](a) == id) is { } found ? Results.Json(found)
            : ApiError.Result(StatusCodes.Status404NotFound, $"no active alarm '{id}'", "id"));
        return statusApi;
    }

    /// <summary>The seed's id of an alarm key (0 for a key this build does not know, e.g. one raised by a newer silo).</summary>
    internal static int IdentifierOf(string key) => AlarmCatalogue.All.FirstOrDefault(k => k.Key == key)?.Id ?? 0;

    internal static string LevelText(AlarmLevel level) => level.ToString().ToLowerInvariant();

    private static async Task<IReadOnlyList<AlarmStatusDto>> AlarmsAsync(Runtime.Hosting.Silo silo, CancellationToken ct) =>
        (await silo.Services.GetRequiredService<AlarmRegistry>().ActiveAsync(ct))
        .OrderByDescending(a => a.TimeRaised).ThenByDescending(a => a.Id)
        .Select(a => new AlarmStatusDto(a.Id, a.Key, IdentifierOf(a.Key), a.Name, LevelText(a.Level), a.Node, a.Instance, a.Details, a.TimeRaised,
            $"{Path}{a.Id}/"))
        .ToList();
}
