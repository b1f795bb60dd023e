using System.Globalization;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>
/// One Conferencing Node (active silo) as <c>/api/admin/status/v1/worker_vm/</c> shows it. The id is the silo
/// name, which is unique among active silos; numeric ids come with the worker_vm configuration resource.
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
        statusApi.MapGet("/worker_vm/", (HttpRequest request, LocalSilo local) =>
            local.Joined is { } silo
                ? ResourceList.Page(request, ActiveWorkers(silo), FilterFields)
                : ApiError.Result(StatusCodes.Status503ServiceUnavailable, "the silo is starting"));

        statusApi.MapGet("/worker_vm/{id}/", (string id, LocalSilo local) =>
        {
            if (local.Joined is not { } silo)
                return ApiError.Result(StatusCodes.Status503ServiceUnavailable, "the silo is starting");
            return ActiveWorkers(silo).FirstOrDefault(w => w.Id == id) is { } worker
                ? Results.Json(worker)
                : ApiError.Result(StatusCodes.Status404NotFound, $"no active worker_vm '{id}'", "id");
        });
        return statusApi;
    }

    private static IEnumerable<WorkerVmStatus> ActiveWorkers(Runtime.Hosting.Silo silo) =>
        silo.Membership.Current.ActiveSilos
            .OrderBy(e => e.SiloName, StringComparer.Ordinal).ThenBy(e => e.SiloAddress)
            .Select(ToStatus);

    private static WorkerVmStatus ToStatus(MembershipEntry entry)
    {
        var role = entry.GetMetadata(SiloMetadataKeys.Role) ?? "transcoding";
        return new WorkerVmStatus(
            Id: entry.SiloName,
            Name: entry.SiloName,
            SystemLocation: entry.GetMetadata(SiloMetadataKeys.Location) ?? "default",
            // Pexip's two node types: a transcoding node is a "conferencing" node, an edge node a "proxying" one.
            NodeType: role == "proxying" ? "proxying" : "conferencing",
            Role: role,
            Address: entry.SiloAddress.Host,
            Status: entry.Status.ToString().ToLowerInvariant(),
            SiloAddress: entry.SiloAddress.ToString(),
            GatewayPort: entry.GatewayPort,
            HttpPort: int.TryParse(entry.GetMetadata(SiloMetadataKeys.HttpPort), NumberStyles.None, CultureInfo.InvariantCulture, out var http) ? http : null,
            BootTime: entry.StartTime,
            LastReported: entry.IAmAliveTime,
            ResourceUri: $"{Path}{Uri.EscapeDataString(entry.SiloName)}/");
    }
}
