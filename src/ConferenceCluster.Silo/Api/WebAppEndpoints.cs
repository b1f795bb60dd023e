using Microsoft.Extensions.FileProviders;

namespace ConferenceCluster.Silo.Api;

/// <summary>
/// The web app every silo serves at <c>/webapp/</c> (<c>/</c> redirects there): static files shipped with the silo
/// (<c>wwwroot/webapp</c>, no build step), talking to this silo's client API. Browsers allow the microphone on
/// <c>http://localhost</c>; from other machines the silo needs HTTPS (docs/operations.md, "Browsers").
/// </summary>
public static class WebAppEndpoints
{
    public const string Path = "/webapp";

    public static WebApplication MapWebApp(this WebApplication app)
    {
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "wwwroot", "webapp");
        if (!Directory.Exists(root))
        {
            app.Logger.LogWarning("The web app's files are missing ({Root}): {Path} is not served", root, Path);
            return app;
        }
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            // Always the silo's current app: a browser must not keep a script of an older version across an upgrade.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapGet("/", () => Results.Redirect(Path + "/"));
        return app;
    }
}
