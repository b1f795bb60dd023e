using System.Text.Json.Serialization;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary>A system location as <c>/api/admin/configuration/v1/system_location/</c> shows it; references are resource URIs.</summary>
/// <param name="TranscodingLocation">Null is "This location" (L3370).</param>
public sealed record SystemLocationDto(
    string Name,
    string Description,
    string? TranscodingLocation,
    [property: JsonPropertyName("overflow_location1")] string? OverflowLocation1,
    [property: JsonPropertyName("overflow_location2")] string? OverflowLocation2,
    int Mtu,
    int? DscpValueForMedia,
    int? DscpValueForSignaling);

public sealed class SystemLocationResource : ConfigurationResource<SystemLocation, SystemLocationDto>
{
    public override string Resource => ConfigurationCollections.SystemLocations;

    protected override string NameOf(SystemLocation value) => value.Name;

    protected override SystemLocation New(string name) => new(name);

    protected override Task<IReadOnlyList<Versioned<SystemLocation>>> ListAsync(ConfigurationRepository repository, CancellationToken ct) =>
        repository.ListLocationsAsync(ct);

    protected override Task<Versioned<SystemLocation>?> GetAsync(ConfigurationRepository repository, string name, CancellationToken ct) =>
        repository.GetLocationAsync(name, ct);

    protected override async Task<SystemLocationDto> ToDtoAsync(SystemLocation value, ConfigurationReferences references, CancellationToken ct) => new(
        value.Name,
        value.Description,
        await references.UriOfAsync(this, value.TranscodingLocation, ct),
        await references.UriOfAsync(this, value.PrimaryOverflowLocation, ct),
        await references.UriOfAsync(this, value.SecondaryOverflowLocation, ct),
        value.Mtu,
        value.MediaDscp,
        value.SignalingDscp);

    protected override async Task<(SystemLocation? Value, IResult? Error)> FromDtoAsync(SystemLocationDto dto, ConfigurationReferences references, CancellationToken ct)
    {
        var (transcoding, error) = await references.ResolveAsync(this, dto.TranscodingLocation, "transcoding_location", ct);
        if (error is not null) return (null, error);
        var (primary, primaryError) = await references.ResolveAsync(this, dto.OverflowLocation1, "overflow_location1", ct);
        if (primaryError is not null) return (null, primaryError);
        var (secondary, secondaryError) = await references.ResolveAsync(this, dto.OverflowLocation2, "overflow_location2", ct);
        if (secondaryError is not null) return (null, secondaryError);
        return (new SystemLocation(dto.Name)
        {
            Description = dto.Description ?? "",
            TranscodingLocation = transcoding,
            PrimaryOverflowLocation = primary,
            SecondaryOverflowLocation = secondary,
            Mtu = dto.Mtu,
            MediaDscp = dto.DscpValueForMedia,
            SignalingDscp = dto.DscpValueForSignaling,
        }, null);
    }

    protected override async Task<ConfigurationWriteOutcome> CreateAsync(ConfigurationRepository repository, SystemLocation value, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.CreateLocationAsync(value, ct));

    protected override async Task<ConfigurationWriteOutcome> UpdateAsync(ConfigurationRepository repository, SystemLocation value, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.UpdateLocationAsync(value, expectedVersion, ct));

    /// <summary>The repository refuses while a node or another location still names this one; the error names that field.</summary>
    protected override async Task<ConfigurationWriteOutcome> DeleteAsync(ConfigurationRepository repository, string name, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.DeleteLocationAsync(name, expectedVersion, ct));
}
