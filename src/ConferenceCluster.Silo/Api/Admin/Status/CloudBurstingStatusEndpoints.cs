using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Bursting;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>An overflow node (<c>/api/admin/status/v1/cloud_node/</c>, "list all of the available overflow nodes", AZ:679).</summary>
/// <param name="State">not_running, starting, running or stopping.</param>
public sealed record CloudNodeDto(string Id, string Name, string SystemLocation, string State, string? InstanceId, string? Address,
    DateTimeOffset? StartedAt, bool HostingConferences, string ResourceUri);

/// <summary>
/// A principal location (<c>/api/admin/status/v1/cloud_monitored_location/</c>, "current load on the primary locations"):
/// its available HD and the status text of L2119–2120 (empty, "approaching threshold", "bursting threshold reached").
/// </summary>
public sealed record CloudMonitoredLocationDto(string Id, string Name, string TranscodingLocation, string OverflowLocation,
    long AvailableHdCalls, int BurstingThreshold, string BurstingState, string Status, string ResourceUri);

/// <summary>An overflow location (<c>/api/admin/status/v1/cloud_overflow_location/</c>) with its running nodes' free HD.</summary>
public sealed record CloudOverflowLocationDto(string Id, string Name, long AvailableHdCalls, int RunningNodes, int StartingNodes,
    int NotRunningNodes, bool UsedAsPrimaryOverflow, string ResourceUri);

/// <summary>The Cloud Bursting page as a whole (<c>/api/admin/status/v1/cloud_bursting/</c>): settings in force and the issues (L2115).</summary>
public sealed record CloudBurstingSummaryDto(bool Enabled, int BurstingThreshold, DateTimeOffset EvaluatedAt, IReadOnlyList<string> Issues);

/// <summary>The bursting controller's view, read from its grain (it evaluates every tick; the page is as fresh as that, L2122).</summary>
public static class CloudBurstingStatusEndpoints
{
    public const string NodePath = "/api/admin/status/v1/cloud_node/";
    public const string MonitoredPath = "/api/admin/status/v1/cloud_monitored_location/";
    public const string OverflowPath = "/api/admin/status/v1/cloud_overflow_location/";

    private static readonly Dictionary<string, Func<CloudNodeDto, string?>> NodeFilters = new()
    {
        ["id"] = n => n.Id,
        ["name"] = n => n.Name,
        ["system_location"] = n => n.SystemLocation,
        ["state"] = n => n.State,
    };

    private static readonly Dictionary<string, Func<CloudMonitoredLocationDto, string?>> MonitoredFilters = new()
    {
        ["id"] = l => l.Id,
        ["name"] = l => l.Name,
        ["bursting_state"] = l => l.BurstingState,
    };

    private static readonly Dictionary<string, Func<CloudOverflowLocationDto, string?>> OverflowFilters = new()
    {
        ["id"] = l => l.Id,
        ["name"] = l => l.Name,
    };

    /// <param name="statusApi">The <c>/api/admin/status/v1</c> group.</param>
    public static RouteGroupBuilder MapCloudBurstingStatus(this RouteGroupBuilder statusApi)
    {
        statusApi.MapGet("/cloud_bursting/", async (LocalSilo local) =>
        {
            if (local.Active() is not { } silo) return AdminApi.Starting();
            var status = await StatusAsync(silo);
            return Results.Json(new CloudBurstingSummaryDto(status.Enabled, status.ThresholdHdCalls, status.EvaluatedAt, status.Issues));
        });
        statusApi.MapGet("/cloud_node/", async (HttpRequest request, LocalSilo local) =>
            local.Active() is { } silo ? ResourceList.Page(request, Nodes(await StatusAsync(silo)), NodeFilters) : AdminApi.Starting());
        statusApi.MapGet("/cloud_monitored_location/", async (HttpRequest request, LocalSilo local) =>
            local.Active() is { } silo ? ResourceList.Page(request, Monitored(await StatusAsync(silo)), MonitoredFilters) : AdminApi.Starting());
        statusApi.MapGet("/cloud_overflow_location/", async (HttpRequest request, LocalSilo local) =>
            local.Active() is { } silo ? ResourceList.Page(request, Overflow(await StatusAsync(silo)), OverflowFilters) : AdminApi.Starting());
        return statusApi;
    }

    internal static Task<BurstingStatus> StatusAsync(RunningSilo silo) =>
        silo.GrainFactory.GetGrain<IBurstingGrain>(BurstingGrain.Key).GetStatus();

    private static string Snake(OverflowNodeState state) => state switch
    {
        OverflowNodeState.NotRunning => "not_running",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static IReadOnlyList<CloudNodeDto> Nodes(BurstingStatus status) => status.Nodes
        .Select(n => new CloudNodeDto(n.Name, n.Name, n.Location, Snake(n.State), n.InstanceId, n.Address, n.StartedAt, n.HostingConferences,
            $"{NodePath}{Uri.EscapeDataString(n.Name)}/"))
        .ToList();

    private static IReadOnlyList<CloudMonitoredLocationDto> Monitored(BurstingStatus status) => status.Principals
        .Select(p => new CloudMonitoredLocationDto(p.Location, p.Location, p.MeasuredLocation, p.OverflowLocation, p.AvailableHdCalls, status.ThresholdHdCalls,
            p.State switch
            {
                BurstingThresholdState.ThresholdReached => "threshold_reached",
                BurstingThresholdState.ApproachingThreshold => "approaching_threshold",
                _ => "below_threshold",
            },
            p.State switch
            {
                BurstingThresholdState.ThresholdReached => "bursting threshold reached",
                BurstingThresholdState.ApproachingThreshold => "approaching threshold",
                _ => "",
            },
            $"{MonitoredPath}{Uri.EscapeDataString(p.Location)}/"))
        .ToList();

    private static IReadOnlyList<CloudOverflowLocationDto> Overflow(BurstingStatus status) => status.OverflowLocations
        .Select(o => new CloudOverflowLocationDto(o.Location, o.Location, o.AvailableHdCalls, o.Running, o.Starting, o.NotRunning, o.UsedAsPrimaryOverflow,
            $"{OverflowPath}{Uri.EscapeDataString(o.Location)}/"))
        .ToList();
}
