using ConferenceCluster.Silo.Api.Admin.Status;

namespace ConferenceCluster.Silo.Api.Admin;

/// <summary>
/// The management API, shaped like Pexip's: <c>/api/admin/{configuration,status,history,command}/v1/&lt;resource&gt;/</c>.
/// Each resource maps itself into its API's group; <see cref="AdminAuthenticationMiddleware"/> guards the whole tree.
/// </summary>
public static class AdminApi
{
    public const string PathPrefix = "/api/admin";

    public static IApplicationBuilder UseAdminAuthentication(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(PathPrefix), admin => admin.UseMiddleware<AdminAuthenticationMiddleware>());

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup(PathPrefix);
        admin.MapGroup("/status/v1").MapWorkerVmStatus();
        return endpoints;
    }
}
