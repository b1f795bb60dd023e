using ConferenceCluster.Silo.Hosting;
using System.Text.Json;
using ConferenceCluster.Conferencing.Configuration.Store;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary><c>/api/admin/configuration/v1/</c>: system_location, worker_vm, conference and global.</summary>
public static class ConfigurationApi
{
    public const string PathPrefix = "/api/admin/configuration/v1/";

    public static readonly SystemLocationResource SystemLocations = new();
    public static readonly WorkerVmResource WorkerVms = new();
    public static readonly ConferenceResource Conferences = new();
    public static readonly EventSinkResource EventSinks = new();

    /// <param name="configurationApi">The <c>/api/admin/configuration/v1</c> group.</param>
    public static RouteGroupBuilder MapConfigurationApi(this RouteGroupBuilder configurationApi)
    {
        SystemLocations.Map(configurationApi);
        WorkerVms.Map(configurationApi);
        Conferences.Map(configurationApi);
        EventSinks.Map(configurationApi);
        return configurationApi.MapGlobalSettings();
    }
}

/// <summary>The JSON of the management API's bodies: snake_case, as the HTTP options write it.</summary>
public static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

/// <summary>What one configuration request works with: the silo's repository and the id index of the cluster database.</summary>
public sealed record ConfigurationContext(ConfigurationRepository Repository, ResourceIds Ids, ConfigurationReferences References)
{
    public static ConfigurationContext For(RunningSilo silo)
    {
        var ids = new ResourceIds(silo.Documents);
        return new ConfigurationContext(silo.Services.GetRequiredService<ConfigurationRepository>(), ids, new ConfigurationReferences(ids));
    }
}

/// <summary>
/// References between configuration objects as Pexip spells them: resource URIs (<c>/api/admin/configuration/v1/system_location/3/</c>).
/// A reference given as a plain name is accepted too, for hand-written requests. Ids are read once per request and cached.
/// </summary>
public sealed class ConfigurationReferences(ResourceIds? ids)
{
    /// <summary>For rendering defaults, where no reference is set.</summary>
    public static readonly ConfigurationReferences None = new(null);

    private readonly Dictionary<string, Dictionary<string, long>> _known = new(StringComparer.Ordinal);

    public async Task<long> IdOfAsync(string resource, string name, CancellationToken ct)
    {
        if (ids is null) return 0;
        if (!_known.TryGetValue(resource, out var known))
            _known[resource] = known = await ids.KnownAsync(resource, ct);
        if (!known.TryGetValue(name, out var id))
            known[name] = id = await ids.IdOfAsync(resource, name, ct);
        return id;
    }

    public async Task<string?> UriOfAsync<TDomain, TDto>(ConfigurationResource<TDomain, TDto> resource, string? name, CancellationToken ct) where TDomain : class where TDto : class =>
        name is null ? null : resource.UriOf(await IdOfAsync(resource.Resource, name, ct));

    /// <summary>The name a reference field names, or a 400 naming the field when it names nothing.</summary>
    public async Task<(string? Name, IResult? Error)> ResolveAsync<TDomain, TDto>(
        ConfigurationResource<TDomain, TDto> resource, string? reference, string field, CancellationToken ct) where TDomain : class where TDto : class
    {
        if (string.IsNullOrEmpty(reference)) return (null, null);
        if (!reference.StartsWith(resource.Path, StringComparison.Ordinal)) return (reference, null);
        var idText = reference[resource.Path.Length..].TrimEnd('/');
        if (ids is not null && long.TryParse(idText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && await ids.NameOfAsync(resource.Resource, id, ct) is { } name)
            return (name, null);
        return (null, ApiError.Result(StatusCodes.Status400BadRequest, $"{reference} is not an existing {resource.Resource}", field));
    }
}
