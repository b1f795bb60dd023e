using System.Net.Http.Headers;
using System.Text;
using ConferenceCluster.Silo.Security;

namespace ConferenceCluster.Silo.Api.Admin;

/// <summary>HTTP Basic authentication for everything under <c>/api/admin/</c>, including paths no endpoint serves.</summary>
public sealed class AdminAuthenticationMiddleware(RequestDelegate next, AdminCredentials credentials)
{
    public const string Realm = "ConferenceCluster";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!TryReadBasicCredentials(context.Request, out var username, out var password))
        {
            await Challenge(context, "authentication required: HTTP Basic credentials of the management API");
            return;
        }

        switch (await credentials.AuthenticateAsync(username, password, context.RequestAborted))
        {
            case AdminAuthenticationResult.Authenticated:
                await next(context);
                break;
            case AdminAuthenticationResult.Unavailable:
                await ApiError.Result(StatusCodes.Status503ServiceUnavailable, "the silo is starting").ExecuteAsync(context);
                break;
            default:
                await Challenge(context, "invalid username or password");
                break;
        }
    }

    private static Task Challenge(HttpContext context, string error)
    {
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
        return ApiError.Result(StatusCodes.Status401Unauthorized, error).ExecuteAsync(context);
    }

    private static bool TryReadBasicCredentials(HttpRequest request, out string username, out string password)
    {
        username = password = "";
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
            return false;

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0)
            return false;
        username = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }
}
