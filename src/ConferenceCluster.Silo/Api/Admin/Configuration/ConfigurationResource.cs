using ConferenceCluster.Silo.Hosting;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary>What a configuration write came to, whatever the repository's result type.</summary>
public sealed record ConfigurationWriteOutcome(ConfigurationWriteStatus Status, ValidationReport Report)
{
    public static ConfigurationWriteOutcome Of<T>(ConfigurationWriteResult<T> result) => new(result.Status, result.Report);
}

/// <summary>
/// One list resource of <c>/api/admin/configuration/v1/</c> in Pexip's (Tastypie's) shape, over the
/// <see cref="ConfigurationRepository"/>: <c>GET</c> list (paged, filtered on any scalar field), <c>POST</c> (201 +
/// Location), <c>GET</c>/<c>PATCH</c>/<c>PUT</c>/<c>DELETE</c> of <c>&lt;id&gt;/</c>. Objects are keyed by name in the
/// repository and by a numeric id in the API (<see cref="ResourceIds"/>).
/// </summary>
/// <remarks>
/// Writes merge the request into the object as the API shows it (for POST: a new object's defaults), so PATCH changes
/// only the fields given and a field's parsing lives in one place (<see cref="FromDtoAsync"/>). <c>id</c> and
/// <c>resource_uri</c> in a body are ignored (scripts send back what they read); any other unknown field is refused
/// naming it, so a misspelt field is not silently dropped. Renaming is refused: the name is the repository key.
/// </remarks>
public abstract class ConfigurationResource<TDomain, TDto> where TDomain : class where TDto : class
{
    private static readonly HashSet<string> ReadOnlyFields = ["id", "resource_uri"];

    /// <summary>The resource name in the path, e.g. <c>system_location</c>; also its <see cref="ResourceIds"/> namespace.</summary>
    public abstract string Resource { get; }

    public string Path => $"{ConfigurationApi.PathPrefix}{Resource}/";

    public string UriOf(long id) => $"{Path}{id}/";

    protected abstract string NameOf(TDomain value);

    /// <summary>A new object with the domain's defaults, that a POST body is merged into.</summary>
    protected abstract TDomain New(string name);

    protected abstract Task<IReadOnlyList<Versioned<TDomain>>> ListAsync(ConfigurationRepository repository, CancellationToken cancellationToken);

    protected abstract Task<Versioned<TDomain>?> GetAsync(ConfigurationRepository repository, string name, CancellationToken cancellationToken);

    protected abstract Task<TDto> ToDtoAsync(TDomain value, ConfigurationReferences references, CancellationToken cancellationToken);

    /// <summary>The object a merged body describes, or a 400 naming the field that cannot be taken.</summary>
    protected abstract Task<(TDomain? Value, IResult? Error)> FromDtoAsync(TDto dto, ConfigurationReferences references, CancellationToken cancellationToken);

    protected abstract Task<ConfigurationWriteOutcome> CreateAsync(ConfigurationRepository repository, TDomain value, CancellationToken cancellationToken);

    protected abstract Task<ConfigurationWriteOutcome> UpdateAsync(ConfigurationRepository repository, TDomain value, long expectedVersion, CancellationToken cancellationToken);

    protected abstract Task<ConfigurationWriteOutcome> DeleteAsync(ConfigurationRepository repository, string name, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>A validation field of the domain as the API spells it here, when the two differ.</summary>
    protected virtual string ApiField(string domainField) => domainField;

    public RouteGroupBuilder Map(RouteGroupBuilder configurationApi)
    {
        var group = configurationApi.MapGroup($"/{Resource}");
        group.MapGet("/", (HttpRequest request, LocalSilo local, CancellationToken ct) => WithSilo(local, ctx => ListEndpoint(request, ctx, ct)));
        group.MapPost("/", (HttpRequest request, LocalSilo local, CancellationToken ct) => WithSilo(local, ctx => CreateEndpoint(request, ctx, ct)));
        group.MapGet("/{id}/", (string id, LocalSilo local, CancellationToken ct) => WithSilo(local, ctx => GetEndpoint(id, ctx, ct)));
        group.MapPatch("/{id}/", (string id, HttpRequest request, LocalSilo local, CancellationToken ct) => WithSilo(local, ctx => UpdateEndpoint(id, request, replace: false, ctx, ct)));
        group.MapPut("/{id}/", (string id, HttpRequest request, LocalSilo local, CancellationToken ct) => WithSilo(local, ctx => UpdateEndpoint(id, request, replace: true, ctx, ct)));
        group.MapDelete("/{id}/", (string id, LocalSilo local, CancellationToken ct) => WithSilo(local, ctx => DeleteEndpoint(id, ctx, ct)));
        return configurationApi;
    }

    private static Task<IResult> WithSilo(LocalSilo local, Func<ConfigurationContext, Task<IResult>> handle) =>
        local.Active() is { } silo ? handle(ConfigurationContext.For(silo)) : Task.FromResult(AdminApi.Starting());

    private async Task<IResult> ListEndpoint(HttpRequest request, ConfigurationContext context, CancellationToken ct)
    {
        var all = await ListAsync(context.Repository, ct);
        var objects = new List<JsonObject>();
        // Objects not numbered yet are numbered in name order (deterministically); the list is in id order, which is
        // creation order for objects the API created, as Pexip lists them.
        foreach (var item in all.OrderBy(i => NameOf(i.Value), StringComparer.Ordinal))
            objects.Add(await ToJsonAsync(item.Value, context.References, ct));
        objects = objects.OrderBy(o => (long)o["id"]!).ToList();
        return ResourceList.Page(request, objects, await FilterFieldsAsync(ct));
    }

    private async Task<IResult> GetEndpoint(string id, ConfigurationContext context, CancellationToken ct) =>
        await FindAsync(id, context, ct) is { } found
            ? Results.Json(await ToJsonAsync(found.Value, context.References, ct))
            : NotFound(id);

    private async Task<IResult> CreateEndpoint(HttpRequest request, ConfigurationContext context, CancellationToken ct)
    {
        var (body, bodyError) = await ReadBodyAsync(request, ct);
        if (bodyError is not null) return bodyError;
        if (body!["name"]?.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace((string?)body["name"]))
            return ApiError.Result(StatusCodes.Status400BadRequest, "a name is required", "name");
        var name = (string)body["name"]!;
        var (value, error) = await MergeAsync(New(name), body, context.References, ct);
        if (error is not null) return error;

        var outcome = await CreateAsync(context.Repository, value!, ct);
        if (outcome.Status == ConfigurationWriteStatus.AlreadyExists)
            return ApiError.Result(StatusCodes.Status400BadRequest, $"a {Resource} named \"{name}\" already exists", "name");
        if (outcome.Status != ConfigurationWriteStatus.Ok) return WriteError(outcome, name);

        var id = await context.Ids.IdOfAsync(Resource, name, ct);
        var saved = await GetAsync(context.Repository, name, ct);
        return Results.Created(UriOf(id), await ToJsonAsync(saved?.Value ?? value!, context.References, ct));
    }

    private async Task<IResult> UpdateEndpoint(string id, HttpRequest request, bool replace, ConfigurationContext context, CancellationToken ct)
    {
        if (await FindAsync(id, context, ct) is not { } current) return NotFound(id);
        var (body, bodyError) = await ReadBodyAsync(request, ct);
        if (bodyError is not null) return bodyError;
        var name = NameOf(current.Value);
        if (body!.TryGetPropertyValue("name", out var newName) && (newName?.GetValueKind() != JsonValueKind.String || (string?)newName != name))
            return ApiError.Result(StatusCodes.Status400BadRequest, "renaming is not supported: create a new object and delete this one", "name");

        // PUT replaces: fields it leaves out go back to their defaults. PATCH keeps them.
        var (value, error) = await MergeAsync(replace ? New(name) : current.Value, body, context.References, ct);
        if (error is not null) return error;
        var outcome = await UpdateAsync(context.Repository, value!, current.Version, ct);
        if (outcome.Status != ConfigurationWriteStatus.Ok) return WriteError(outcome, name);
        var saved = await GetAsync(context.Repository, name, ct);
        return Results.Json(await ToJsonAsync(saved?.Value ?? value!, context.References, ct));
    }

    private async Task<IResult> DeleteEndpoint(string id, ConfigurationContext context, CancellationToken ct)
    {
        if (await FindAsync(id, context, ct) is not { } current) return NotFound(id);
        var name = NameOf(current.Value);
        var outcome = await DeleteAsync(context.Repository, name, current.Version, ct);
        if (outcome.Status != ConfigurationWriteStatus.Ok) return WriteError(outcome, name);
        await context.Ids.ForgetAsync(Resource, name, ct);
        return Results.NoContent();
    }

    private async Task<Versioned<TDomain>?> FindAsync(string id, ConfigurationContext context, CancellationToken ct) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
        && await context.Ids.NameOfAsync(Resource, number, ct) is { } name
            ? await GetAsync(context.Repository, name, ct)
            : null;

    private IResult NotFound(string id) => ApiError.Result(StatusCodes.Status404NotFound, $"no {Resource} with id {id}", "id");

    private async Task<JsonObject> ToJsonAsync(TDomain value, ConfigurationReferences references, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToNode(await ToDtoAsync(value, references, ct), AdminJson.Options)!.AsObject();
        var id = await references.IdOfAsync(Resource, NameOf(value), ct);
        json["id"] = id;
        json["resource_uri"] = UriOf(id);
        return json;
    }

    private async Task<(TDomain? Value, IResult? Error)> MergeAsync(TDomain current, JsonObject body, ConfigurationReferences references, CancellationToken ct)
    {
        var merged = JsonSerializer.SerializeToNode(await ToDtoAsync(current, references, ct), AdminJson.Options)!.AsObject();
        foreach (var (field, value) in body)
        {
            if (ReadOnlyFields.Contains(field)) continue;
            if (!merged.ContainsKey(field))
                return (default, ApiError.Result(StatusCodes.Status400BadRequest, $"'{field}' is not a field of {Resource}", field));
            merged[field] = value?.DeepClone();
        }
        TDto dto;
        try
        {
            dto = merged.Deserialize<TDto>(AdminJson.Options)!;
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "";
            return (default, ApiError.Result(StatusCodes.Status400BadRequest, $"'{field}' has the wrong type", field));
        }
        return await FromDtoAsync(dto, references, ct);
    }

    private IResult WriteError(ConfigurationWriteOutcome outcome, string name) => outcome.Status switch
    {
        ConfigurationWriteStatus.Conflict => ApiError.Result(StatusCodes.Status409Conflict, $"{Resource} \"{name}\" changed meanwhile; read it again and retry"),
        ConfigurationWriteStatus.NotFound => ApiError.Result(StatusCodes.Status404NotFound, $"{Resource} \"{name}\" is gone", "id"),
        _ => outcome.Report.Errors.FirstOrDefault() is { } issue
            ? ApiError.Result(StatusCodes.Status400BadRequest, $"{issue.Entity}: {issue.Message} ({issue.Rule})", ApiField(issue.Field))
            : ApiError.Result(StatusCodes.Status400BadRequest, $"{Resource} \"{name}\" was refused"),
    };

    private static async Task<(JsonObject? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            if (await JsonNode.ParseAsync(request.Body, cancellationToken: ct) is JsonObject body) return (body, null);
        }
        catch (JsonException)
        {
        }
        return (null, ApiError.Result(StatusCodes.Status400BadRequest, "the body must be a JSON object"));
    }

    private async Task<Dictionary<string, Func<JsonObject, string?>>> FilterFieldsAsync(CancellationToken ct)
    {
        // Every scalar field of the resource can be filtered on, exactly, as Pexip's "exact" filters.
        var sample = JsonSerializer.SerializeToNode(await ToDtoAsync(New("sample"), ConfigurationReferences.None, ct), AdminJson.Options)!.AsObject();
        var fields = new Dictionary<string, Func<JsonObject, string?>>
        {
            ["id"] = o => o["id"]?.ToJsonString(),
        };
        foreach (var (field, value) in sample)
            if (value is null or JsonValue)
                fields[field] = o => o[field] switch
                {
                    null => null,
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => (string?)v,
                    var v => v.ToJsonString(),
                };
        return fields;
    }
}
