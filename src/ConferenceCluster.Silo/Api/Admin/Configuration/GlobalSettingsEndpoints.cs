using ConferenceCluster.Silo.Hosting;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary>The global settings as <c>/api/admin/configuration/v1/global/</c> shows them (Pexip's field names where it has them).</summary>
public sealed record GlobalSettingsDto(
    string MaxPixelsPerSecond,
    string CryptoMode,
    int GuestsOnlyTimeout,
    int LastParticipantBackstopTimeout,
    int PinEntryTimeout,
    int WaitingForHostTimeout,
    int MaxPresentationBandwidthRatio,
    bool EnableRestrictedRoutingForProxyingEdgeNodes,
    bool BurstingEnabled,
    int BurstingThreshold,
    int BurstingMinLifetime);

/// <summary>
/// The one global settings object, as Pexip has it: a list of one at <c>global/</c>, the object at <c>global/1/</c>;
/// GET and PATCH (PATCH on <c>global/</c> is accepted too). Updates quote the version read (concurrent change → 409).
/// </summary>
public static class GlobalSettingsEndpoints
{
    public const string Path = ConfigurationApi.PathPrefix + "global/";
    public const long Id = 1;

    private static readonly Dictionary<string, Func<JsonObject, string?>> NoFilters = new();

    public static RouteGroupBuilder MapGlobalSettings(this RouteGroupBuilder configurationApi)
    {
        configurationApi.MapGet("/global/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, [ToJson((await Repository(silo).GetGlobalSettingsAsync(ct)).Value)], NoFilters) : AdminApi.Starting());
        configurationApi.MapGet("/global/{id:long}/", async (long id, LocalSilo local, CancellationToken ct) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : id != Id ? NotFound(id)
            : Results.Json(ToJson((await Repository(silo).GetGlobalSettingsAsync(ct)).Value)));
        configurationApi.MapPatch("/global/", (HttpRequest request, LocalSilo local, CancellationToken ct) => PatchAsync(request, local, ct));
        configurationApi.MapPatch("/global/{id:long}/", (long id, HttpRequest request, LocalSilo local, CancellationToken ct) =>
            id == Id ? PatchAsync(request, local, ct) : Task.FromResult(NotFound(id)));
        return configurationApi;
    }

    private static ConfigurationRepository Repository(RunningSilo silo) => ConfigurationContext.For(silo).Repository;

    private static IResult NotFound(long id) => ApiError.Result(StatusCodes.Status404NotFound, $"no global with id {id}; the global settings are {Path}{Id}/", "id");

    private static async Task<IResult> PatchAsync(HttpRequest request, LocalSilo local, CancellationToken ct)
    {
        if (local.Active() is not { } silo) return AdminApi.Starting();
        var repository = Repository(silo);
        JsonObject? body = null;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct) as JsonObject;
        }
        catch (JsonException)
        {
        }
        if (body is null) return ApiError.Result(StatusCodes.Status400BadRequest, "the body must be a JSON object");

        var current = await repository.GetGlobalSettingsAsync(ct);
        var merged = ToJson(current.Value);
        foreach (var (field, value) in body)
        {
            if (field is "id" or "resource_uri") continue;
            if (!merged.ContainsKey(field)) return ApiError.Result(StatusCodes.Status400BadRequest, $"'{field}' is not a field of global", field);
            merged[field] = value?.DeepClone();
        }
        GlobalSettingsDto dto;
        try
        {
            dto = merged.Deserialize<GlobalSettingsDto>(AdminJson.Options)!;
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "";
            return ApiError.Result(StatusCodes.Status400BadRequest, $"'{field}' has the wrong type", field);
        }
        if (!PexipValues.TryParse(dto.MaxPixelsPerSecond, out MaximumCallQuality? quality))
            return ApiError.Result(StatusCodes.Status400BadRequest, "max_pixels_per_second is sd, hd or fullhd", "max_pixels_per_second");
        if (!PexipValues.TryParse(dto.CryptoMode, out MediaEncryption? crypto))
            return ApiError.Result(StatusCodes.Status400BadRequest, "crypto_mode is besteffort, on or off", "crypto_mode");

        var settings = current.Value with
        {
            MaximumCallQuality = quality!.Value,
            MediaEncryption = crypto!.Value,
            GuestsOnlyTimeoutSeconds = dto.GuestsOnlyTimeout,
            LastParticipantBackstopTimeoutSeconds = dto.LastParticipantBackstopTimeout,
            PinEntryTimeoutSeconds = dto.PinEntryTimeout,
            WaitingForHostTimeoutSeconds = dto.WaitingForHostTimeout,
            MaximumPresentationBandwidthRatioPercent = dto.MaxPresentationBandwidthRatio,
            EnableRestrictedRoutingForProxyingEdgeNodes = dto.EnableRestrictedRoutingForProxyingEdgeNodes,
            EnableBurstingToTheCloud = dto.BurstingEnabled,
            BurstingThresholdHdCalls = dto.BurstingThreshold,
            BurstingMinimumLifetime = TimeSpan.FromMinutes(dto.BurstingMinLifetime),
        };
        var result = await repository.UpdateGlobalSettingsAsync(settings, current.Version, ct);
        return result.Status switch
        {
            ConfigurationWriteStatus.Ok => Results.Json(ToJson(settings)),
            ConfigurationWriteStatus.Conflict => ApiError.Result(StatusCodes.Status409Conflict, "the global settings changed meanwhile; read them again and retry"),
            _ => result.Report.Errors.FirstOrDefault() is { } issue
                ? ApiError.Result(StatusCodes.Status400BadRequest, $"global: {issue.Message} ({issue.Rule})",
                    issue.Field == "cloud_shutdown_minimum_lifetime" ? "bursting_min_lifetime" : issue.Field)
                : ApiError.Result(StatusCodes.Status400BadRequest, "the global settings were refused"),
        };
    }

    private static JsonObject ToJson(GlobalSettings settings)
    {
        var json = JsonSerializer.SerializeToNode(new GlobalSettingsDto(
            PexipValues.Of(settings.MaximumCallQuality),
            PexipValues.Of(settings.MediaEncryption),
            settings.GuestsOnlyTimeoutSeconds,
            settings.LastParticipantBackstopTimeoutSeconds,
            settings.PinEntryTimeoutSeconds,
            settings.WaitingForHostTimeoutSeconds,
            settings.MaximumPresentationBandwidthRatioPercent,
            settings.EnableRestrictedRoutingForProxyingEdgeNodes,
            settings.EnableBurstingToTheCloud,
            settings.BurstingThresholdHdCalls,
            (int)settings.BurstingMinimumLifetime.TotalMinutes), AdminJson.Options)!.AsObject();
        json["id"] = Id;
        json["resource_uri"] = $"{Path}{Id}/";
        return json;
    }
}
