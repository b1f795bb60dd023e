using ConferenceCluster.Silo.Hosting;
using Orleans.Runtime;
using ConferenceCluster.Silo.Api.Admin.Command;
using ConferenceCluster.Silo.Api.Admin.Configuration;
using ConferenceCluster.Silo.Api.Admin.History;
using ConferenceCluster.Silo.Api.Admin.Status;

namespace ConferenceCluster.Silo.Api.Admin;

/// <summary>
/// The management API, shaped like Pexip's: <c>/api/admin/{configuration,status,history,command}/v1/&lt;resource&gt;/</c>.
/// Each resource maps itself into its API's group; <see cref="AdminAuthenticationMiddleware"/> guards the whole tree.
/// </summary>
public static class AdminApi
{
    public const string PathPrefix = "/api/admin";

    /// <summary>HTTP Basic for the management API and the Orleans Dashboard (its UI and its JSON API).</summary>
    public static IApplicationBuilder UseAdminAuthentication(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(PathPrefix) || context.Request.Path.StartsWithSegments(Hosting.Observability.DashboardPath),
            admin => admin.UseMiddleware<AdminAuthenticationMiddleware>());

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup(PathPrefix);
        admin.MapGroup("/configuration/v1").MapConfigurationApi();
        admin.MapGroup("/status/v1").MapWorkerVmStatus().MapConferenceStatus().MapSystemLocationStatus().MapAlarmStatus().MapCloudBurstingStatus();
        admin.MapGroup("/history/v1").MapHistory().MapOperationsHistory();
        admin.MapGroup("/command/v1").MapCommands().MapCloudNodeCommands();
        return endpoints;
    }

    /// <summary>
    /// The silo when it is ready (active in the cluster, its conferencing layer started). Configuration, status, history
    /// and commands use the conferencing layer's services and grains; before that the API answers 503 as /health does.
    /// </summary>
    internal static RunningSilo? Active(this LocalSilo local) => local.Current is { IsReady: true } silo ? silo : null;

    internal static IResult Starting() => ApiError.Result(StatusCodes.Status503ServiceUnavailable, "the silo is starting");
}
