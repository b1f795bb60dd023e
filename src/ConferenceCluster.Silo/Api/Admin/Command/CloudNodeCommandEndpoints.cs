using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Conferencing.Operations.Bursting;

namespace ConferenceCluster.Silo.Api.Admin.Command;

/// <summary>
/// <c>POST /api/admin/command/v1/platform/start_cloudnode/</c> with <c>{"instance_id": "&lt;node name&gt;"}</c>
/// (<c>node</c> is accepted too): "manually start up any overflow node" (AZ:679). 202 when it starts or already runs;
/// 404 for a name that is no cloud bursting node; 409 when no tagged instance carries it; 502 when the provider failed
/// (the matching bursting alarm is raised).
/// </summary>
public static class CloudNodeCommandEndpoints
{
    /// <param name="commandApi">The <c>/api/admin/command/v1</c> group.</param>
    public static RouteGroupBuilder MapCloudNodeCommands(this RouteGroupBuilder commandApi)
    {
        commandApi.MapPost("/platform/start_cloudnode/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
        {
            if (local.Active() is not { } silo) return AdminApi.Starting();
            var (node, error) = await CommandEndpoints.ReadIdAsync(request, ["instance_id", "node"], ct);
            if (error is not null) return error;
            var outcome = await silo.GrainFactory.GetGrain<IBurstingGrain>(BurstingGrain.Key).StartNode(node!);
            return outcome switch
            {
                ManualStartOutcome.Started => Results.Json(new CommandResult("success", $"{node} is starting"), statusCode: StatusCodes.Status202Accepted),
                ManualStartOutcome.AlreadyRunning => Results.Json(new CommandResult("success", $"{node} is already running"), statusCode: StatusCodes.Status202Accepted),
                ManualStartOutcome.UnknownNode => ApiError.Result(StatusCodes.Status404NotFound, $"'{node}' is not a cloud bursting Conferencing Node", "instance_id"),
                ManualStartOutcome.NoInstance => ApiError.Result(StatusCodes.Status409Conflict,
                    $"no instance tagged {BurstingOptions.TagName} carries '{node}'", "instance_id"),
                _ => ApiError.Result(StatusCodes.Status502BadGateway, $"the cloud provider could not start '{node}'; see the bursting alarms"),
            };
        });
        return commandApi;
    }
}
