using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>
/// A system location's transcoding capacity (<c>/api/admin/status/v1/system_location/</c>), from its LocationGrain; the id
/// is the location name. Capacities are in HD calls, rounded down; <c>media_load</c> is in percent;
/// <c>bursting_state</c> is below_threshold, approaching_threshold or threshold_reached (L2119–2120).
/// </summary>
public sealed record SystemLocationStatusDto(
    string Id,
    string Name,
    int TranscodingNodes,
    int ProxyingNodes,
    long MaxHdCalls,
    long AvailableHdCalls,
    int MediaLoad,
    string BurstingState,
    string ResourceUri);

public static class SystemLocationStatusEndpoints
{
    public const string Path = "/api/admin/status/v1/system_location/";

    private static readonly Dictionary<string, Func<SystemLocationStatusDto, string?>> FilterFields = new()
    {
        ["id"] = l => l.Id,
        ["name"] = l => l.Name,
        ["bursting_state"] = l => l.BurstingState,
    };

    /// <param name="statusApi">The <c>/api/admin/status/v1</c> group.</param>
    public static RouteGroupBuilder MapSystemLocationStatus(this RouteGroupBuilder statusApi)
    {
        statusApi.MapGet("/system_location/", async (HttpRequest request, LocalSilo local) =>
            local.Active() is { } silo ? ResourceList.Page(request, await LocationsAsync(silo), FilterFields) : AdminApi.Starting());
        statusApi.MapGet("/system_location/{id}/", async (string id, LocalSilo local) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : (await LocationsAsync(silo)).FirstOrDefault(l => l.Id == id) is { } found ? Results.Json(found)
            : ApiError.Result(StatusCodes.Status404NotFound, $"no system_location '{id}'", "id"));
        return statusApi;
    }

    /// <summary>Every configured location, and any location a live node names without it being configured (yet).</summary>
    private static async Task<IReadOnlyList<SystemLocationStatusDto>> LocationsAsync(RunningSilo silo)
    {
        var config = silo.Services.GetRequiredService<ConfigurationView>().Current;
        var names = config.Locations.Keys
            .Concat(silo.Services.GetRequiredService<ClusterNodes>().Live().Select(n => n.Node.SystemLocation))
            .Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var statuses = await Task.WhenAll(names.Select(n => silo.GrainFactory.GetGrain<ILocationGrain>(n).GetStatus()));
        return statuses.Select(s =>
        {
            var capacity = s.Capacity;
            var percent = capacity.Total.Value == 0 ? 0 : (int)Math.Min(100, capacity.Load.Value * 100 / capacity.Total.Value);
            return new SystemLocationStatusDto(s.Location, s.Location, capacity.TranscodingNodes,
                s.Nodes.Count(n => n.Node.Role == Conferencing.Configuration.NodeRole.Proxying),
                capacity.Total.WholeHdCalls, capacity.AvailableHdCalls, percent,
                s.Bursting switch
                {
                    BurstingThresholdState.ThresholdReached => "threshold_reached",
                    BurstingThresholdState.ApproachingThreshold => "approaching_threshold",
                    _ => "below_threshold",
                },
                $"{Path}{Uri.EscapeDataString(s.Location)}/");
        }).ToList();
    }
}
