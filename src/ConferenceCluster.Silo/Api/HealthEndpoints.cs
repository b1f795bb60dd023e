using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Silo.Api;

/// <summary><c>GET /health</c> for load balancers, orchestrators and the container HEALTHCHECK: 200 only while the silo is Active.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (LocalSilo local) =>
        {
            var silo = local.Current;
            var status = local.Status;
            var body = new HealthStatus(
                status == SiloStatus.Active ? "ok" : "unavailable",
                status.ToString().ToLowerInvariant(),
                silo?.Name,
                silo?.Details.ClusterId);
            return Results.Json(body, statusCode: status == SiloStatus.Active ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        // Pexip's client API status (seed ops L11707): load balancers ask whether this node takes calls. No auth.
        // 200 while it does; 503 in maintenance mode, while draining before a stop, or when not (yet) Active.
        endpoints.MapGet("/api/client/v2/status", (LocalSilo local) =>
        {
            var silo = local.Current;
            var status = local.Status;
            var gateway = status == SiloStatus.Active ? silo?.Services.GetService<SipGateway>() : null;
            var maintenance = gateway?.InMaintenanceMode ?? false;
            var draining = local.Draining || (gateway?.Draining ?? false);
            var takesCalls = status == SiloStatus.Active && gateway is not null && !maintenance && !draining;
            var body = new ClientStatus("success", new ClientStatusResult(
                maintenance, draining, status.ToString().ToLowerInvariant(), gateway?.ActiveCalls ?? 0, silo?.Name));
            return Results.Json(body, statusCode: takesCalls ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private sealed record ClientStatus(string Status, ClientStatusResult Result);

    private sealed record ClientStatusResult(bool MaintenanceMode, bool Draining, string SiloStatus, int ActiveCalls, string? Silo);

    private sealed record HealthStatus(string Status, string SiloStatus, string? Silo, string? ClusterId);
}
