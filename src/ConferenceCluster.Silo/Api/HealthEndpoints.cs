using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Silo.Hosting;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Api;

/// <summary>
/// Health for load balancers, orchestrators and the container HEALTHCHECK. HTTP starts once the silo is active, so a
/// node that is still joining refuses connections. <c>/health/live</c>: its silo has not stopped or been declared dead
/// (Kubernetes' liveness; still 200 while draining). <c>/health/ready</c> and <c>/health</c>: it can serve a call
/// (active, conferencing layer and SIP gateway running, not draining; Kubernetes' readiness).
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (LocalSilo local) => Ready(local));
        endpoints.MapGet("/health/ready", (LocalSilo local) => Ready(local));
        endpoints.MapGet("/health/live", (LocalSilo local) =>
        {
            var status = local.Status;
            var live = status is not (SiloStatus.Dead or SiloStatus.Stopping);
            return Results.Json(Body(local, live ? "ok" : "unavailable"),
                statusCode: live ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        // Pexip's client API status (seed ops L11707): load balancers ask whether this node takes calls. No auth.
        // 200 while it does; 503 in maintenance mode, while draining before a stop, or when not (yet) ready.
        endpoints.MapGet("/api/client/v2/status", (LocalSilo local) =>
        {
            var silo = local.Current;
            var gateway = silo.IsReady ? silo.Services.GetService<SipGateway>() : null;
            var maintenance = gateway?.InMaintenanceMode ?? false;
            var draining = local.Draining || (gateway?.Draining ?? false);
            var takesCalls = gateway is not null && !maintenance && !draining;
            var body = new ClientStatus("success", new ClientStatusResult(
                maintenance, draining, local.Status.ToString().ToLowerInvariant(),
                (gateway?.ActiveCalls ?? 0) + (silo.IsReady ? silo.Services.GetService<Gateway.Client.ClientCalls>()?.ActiveParticipants ?? 0 : 0), silo.Name));
            return Results.Json(body, statusCode: takesCalls ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private static IResult Ready(LocalSilo local)
    {
        var ready = local.Current.IsReady && !local.Draining;
        return Results.Json(Body(local, ready ? "ok" : "unavailable"),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static HealthStatus Body(LocalSilo local, string status) =>
        new(status, local.Status.ToString().ToLowerInvariant(), local.Current.IsReady, local.Current.Name, local.Current.ClusterId);

    private sealed record ClientStatus(string Status, ClientStatusResult Result);

    private sealed record ClientStatusResult(bool MaintenanceMode, bool Draining, string SiloStatus, int ActiveCalls, string? Silo);

    private sealed record HealthStatus(string Status, string SiloStatus, bool Ready, string? Silo, string? ClusterId);
}
