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
        return endpoints;
    }

    private sealed record HealthStatus(string Status, string SiloStatus, string? Silo, string? ClusterId);
}
