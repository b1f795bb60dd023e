using System.Text.Json.Serialization;

namespace ConferenceCluster.Silo.Api;

/// <summary>The body of every 4xx/5xx answer of the HTTP APIs: what went wrong and, when one is to blame, which field.</summary>
public sealed record ApiError(string Error, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null)
{
    public static IResult Result(int statusCode, string error, string? field = null) =>
        Results.Json(new ApiError(error, field), statusCode: statusCode);
}
