using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace ConferenceCluster.Silo.Api.Admin;

/// <summary>The <c>meta</c> of a Pexip (Tastypie-style) list: paging position and links to the neighbouring pages.</summary>
public sealed record ResourceListMeta(int Limit, string? Next, int Offset, string? Previous, int TotalCount);

/// <summary>A Pexip-shaped list answer: <c>{"meta": {...}, "objects": [...]}</c>.</summary>
public sealed record ResourceListPage<T>(ResourceListMeta Meta, IReadOnlyList<T> Objects);

/// <summary>
/// Paging (<c>limit</c>, <c>offset</c>) and exact-match field filtering (<c>?name=x</c>) of the management API's
/// list resources, as Pexip's API does them. Any other query parameter is an error naming that field.
/// </summary>
public static class ResourceList
{
    /// <summary>Pexip's (Tastypie's) default page size.</summary>
    public const int DefaultLimit = 20;
    /// <summary>The largest page; <c>limit=0</c> asks for it, as in Tastypie.</summary>
    public const int MaxLimit = 1000;

    public static IResult Page<T>(HttpRequest request, IEnumerable<T> objects, IReadOnlyDictionary<string, Func<T, string?>> filterFields)
    {
        var limit = DefaultLimit;
        var offset = 0;
        var filters = new List<(string Field, string Value)>();
        foreach (var (name, values) in request.Query)
        {
            if (values.Count != 1)
                return ApiError.Result(StatusCodes.Status400BadRequest, $"'{name}' may be given once", name);
            var value = values[0] ?? "";
            switch (name)
            {
                case "limit":
                    if (!TryParseCount(value, out limit))
                        return ApiError.Result(StatusCodes.Status400BadRequest, "limit must be a whole number, 0 for the largest page", name);
                    limit = limit == 0 ? MaxLimit : Math.Min(limit, MaxLimit);
                    break;
                case "offset":
                    if (!TryParseCount(value, out offset))
                        return ApiError.Result(StatusCodes.Status400BadRequest, "offset must be a whole number", name);
                    break;
                case "format":
                    if (value != "json")
                        return ApiError.Result(StatusCodes.Status400BadRequest, "the only format is json", name);
                    break;
                default:
                    if (!filterFields.ContainsKey(name))
                        return ApiError.Result(StatusCodes.Status400BadRequest,
                            $"'{name}' is not a field to filter on; fields: {string.Join(", ", filterFields.Keys)}", name);
                    filters.Add((name, value));
                    break;
            }
        }

        var matching = objects.Where(o => filters.All(f => string.Equals(filterFields[f.Field](o), f.Value, StringComparison.Ordinal))).ToList();
        var page = matching.Skip(offset).Take(limit).ToList();
        var next = offset + limit < matching.Count ? PageLink(request, limit, offset + limit) : null;
        var previous = offset > 0 ? PageLink(request, limit, Math.Max(0, offset - limit)) : null;
        return Results.Json(new ResourceListPage<T>(new ResourceListMeta(limit, next, offset, previous, matching.Count), page));
    }

    private static bool TryParseCount(string text, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count);

    private static string PageLink(HttpRequest request, int limit, int offset)
    {
        var query = new QueryBuilder(request.Query.Where(q => q.Key is not ("limit" or "offset")))
        {
            { "limit", limit.ToString(CultureInfo.InvariantCulture) },
            { "offset", offset.ToString(CultureInfo.InvariantCulture) },
        };
        return request.PathBase + request.Path + query.ToQueryString();
    }
}
