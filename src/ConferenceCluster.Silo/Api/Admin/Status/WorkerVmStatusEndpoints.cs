using ConferenceCluster.Silo.Hosting;
using System.Globalization;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>
/// One Conferencing Node (active silo) as <c>/api/admin/status/v1/worker_vm/</c> shows it. The id is the silo
/// name, which is unique among active silos; numeric ids come with the worker_vm configuration resource.
/// The load fields come from the node's NodeGrain and are null when it did not answer (the silo is leaving, or the
/// conferencing layer is not up yet): <c>media_load</c> in percent (100 in maintenance mode, L11680), <c>max_*_calls</c>
/// what the capacity holds of each call type, and <c>media_load_units</c>/<c>media_capacity_units</c> the exact ledger
/// (24 units = 1 HD call; see CapacityUnits), which Pexip does not have. <c>max_audio_calls</c> is what the node admits;
/// <c>measured_audio_calls</c> what its startup check measured before the headroom (R60; null when configured),
/// <c>measured_hd_calls</c> what its video measurement admits (720p decode and encode share; null when configured), and
/// <c>opus</c> which Opus implementation its media runs (issue 15).
/// </summary>
public sealed record WorkerVmStatus(
    string Id,
    string Name,
    string SystemLocation,
    string NodeType,
    string Role,
    string Address,
    string Status,
    string SiloAddress,
    int GatewayPort,
    int? HttpPort,
    DateTimeOffset BootTime,
    DateTimeOffset LastReported,
    bool? MaintenanceMode,
    int? MediaLoad,
    long? MaxAudioCalls,
    long? MaxSdCalls,
    long? MaxHdCalls,
    long? MaxFullHdCalls,
    long? MediaLoadUnits,
    long? MediaCapacityUnits,
    long? MeasuredAudioCalls,
    long? MeasuredHdCalls,
    string? Opus,
    string ResourceUri);

/// <summary><c>GET /api/admin/status/v1/worker_vm/</c> (paged, filterable) and <c>GET .../worker_vm/{id}/</c>.</summary>
public static class WorkerVmStatusEndpoints
{
    public const string Path = "/api/admin/status/v1/worker_vm/";

    private static readonly Dictionary<string, Func<WorkerVmStatus, string?>> FilterFields = new()
    {
        ["id"] = w => w.Id,
        ["name"] = w => w.Name,
        ["system_location"] = w => w.SystemLocation,
        ["node_type"] = w => w.NodeType,
        ["role"] = w => w.Role,
        ["address"] = w => w.Address,
        ["status"] = w => w.Status,
    };

    /// <param name="statusApi">The <c>/api/admin/status/v1</c> group.</param>
    public static RouteGroupBuilder MapWorkerVmStatus(this RouteGroupBuilder statusApi)
    {
        statusApi.MapGet("/worker_vm/", async (HttpRequest request, LocalSilo local) =>
            local.Active() is { } silo
                ? ResourceList.Page(request, await ActiveWorkersAsync(silo), FilterFields)
                : ApiError.Result(StatusCodes.Status503ServiceUnavailable, "the silo is starting"));

        statusApi.MapGet("/worker_vm/{id}/", async (string id, LocalSilo local) =>
        {
            if (local.Active() is not { } silo)
                return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "the silo is starting");
            return (await ActiveWorkersAsync(silo, id)).FirstOrDefault() is { } worker
                ? Results.Json(worker)
                : ApiError.Result(StatusCodes.Status404NotFound, $"no active worker_vm '{id}'", "id");
        });
        return statusApi;
    }

    private static async Task<IReadOnlyList<WorkerVmStatus>> ActiveWorkersAsync(RunningSilo silo, string? only = null)
    {
        // Orleans' membership table has what a status page shows (start and last-alive times, gateway port); the node's
        // published metadata has its location, role and HTTP port.
        var table = await silo.Services.GetRequiredService<IMembershipTable>().ReadAllAsync(CancellationToken.None);
        var metadata = silo.Services.GetRequiredService<ISiloMetadataCache>();
        var entries = table.Members.Select(m => m.Item1)
            .Where(e => e.Status == SiloStatus.Active && (only is null || e.SiloName == only))
            .OrderBy(e => e.SiloName, StringComparer.Ordinal).ThenBy(e => e.SiloAddress.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        // One NodeGrain call per node, in parallel.
        var loads = await Task.WhenAll(entries.Select(e => LoadOfAsync(silo, e.SiloName)));
        return entries.Select((e, i) => ToStatus(e, metadata.GetSiloMetadata(e.SiloAddress).Metadata, loads[i])).ToList();
    }

    private static async Task<NodeLoadReport?> LoadOfAsync(RunningSilo silo, string node)
    {
        try
        {
            return await silo.GrainFactory.GetGrain<INodeGrain>(node).GetStatus();
        }
        catch (Exception)
        {
            return null; // it left between the membership read and the call: show it without load rather than fail the page
        }
    }

    private static WorkerVmStatus ToStatus(MembershipEntry entry, IReadOnlyDictionary<string, string> metadata, NodeLoadReport? load)
    {
        var capacity = load?.Node.MediaCapacity;
        long? Fits(CapacityUnits perCall) => capacity is { } c ? c.Value / perCall.Value : null;
        var role = load is { } l ? (l.Node.Role == NodeRole.Proxying ? "proxying" : "transcoding") : metadata.GetValueOrDefault(NodeMetadataKeys.Role) ?? "transcoding";
        return new WorkerVmStatus(
            Id: entry.SiloName,
            Name: entry.SiloName,
            SystemLocation: load?.Node.SystemLocation ?? metadata.GetValueOrDefault(NodeMetadataKeys.Location) ?? "default",
            // Pexip's two node types: a transcoding node is a "conferencing" node, an edge node a "proxying" one.
            NodeType: role == "proxying" ? "proxying" : "conferencing",
            Role: role,
            Address: entry.SiloAddress.Endpoint.Address.ToString(),
            Status: entry.Status.ToString().ToLowerInvariant(),
            SiloAddress: entry.SiloAddress.ToParsableString(),
            GatewayPort: entry.ProxyPort,
            HttpPort: int.TryParse(metadata.GetValueOrDefault(NodeMetadataKeys.HttpPort), NumberStyles.None, CultureInfo.InvariantCulture, out var http) ? http : null,
            BootTime: new DateTimeOffset(DateTime.SpecifyKind(entry.StartTime, DateTimeKind.Utc)),
            LastReported: new DateTimeOffset(DateTime.SpecifyKind(entry.IAmAliveTime, DateTimeKind.Utc)),
            MaintenanceMode: load?.Node.MaintenanceMode,
            MediaLoad: load?.LoadPercent,
            MaxAudioCalls: capacity?.WholeAudioCalls,
            MaxSdCalls: Fits(new CapacityUnits(CapacityUnits.PerHdCall / 2)),
            MaxHdCalls: capacity?.WholeHdCalls,
            MaxFullHdCalls: Fits(new CapacityUnits(CapacityUnits.PerHdCall * 2)),
            MediaLoadUnits: load?.Load.Value,
            MediaCapacityUnits: capacity?.Value,
            MeasuredAudioCalls: long.TryParse(metadata.GetValueOrDefault(NodeMetadataKeys.MeasuredAudioCalls), NumberStyles.None, CultureInfo.InvariantCulture, out var measured) ? measured : null,
            MeasuredHdCalls: long.TryParse(metadata.GetValueOrDefault(NodeMetadataKeys.MeasuredHdCalls), NumberStyles.None, CultureInfo.InvariantCulture, out var measuredHd) ? measuredHd : null,
            Opus: metadata.GetValueOrDefault(NodeMetadataKeys.Opus),
            ResourceUri: $"{Path}{Uri.EscapeDataString(entry.SiloName)}/");
    }
}
