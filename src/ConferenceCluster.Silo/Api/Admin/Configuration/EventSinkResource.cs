using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Operations.EventSinks;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary>
/// An event sink as <c>/api/admin/configuration/v1/event_sink/</c> shows it (L3059–3066). <c>system_locations</c> lists
/// location resource URIs (names are accepted too); the password is write-only and reads back empty.
/// </summary>
public sealed record EventSinkDto(
    string Name,
    string Description,
    string Url,
    string Username,
    string Password,
    bool VerifyTls,
    int Version,
    IReadOnlyList<string> SystemLocations);

public sealed class EventSinkResource : ConfigurationResource<EventSink, EventSinkDto>
{
    public override string Resource => EventSinkRepository.Collection;

    protected override string NameOf(EventSink value) => value.Name;

    protected override EventSink New(string name) => new(name);

    private static EventSinkRepository Sinks(ConfigurationRepository repository) => new(repository.Store);

    protected override Task<IReadOnlyList<Versioned<EventSink>>> ListAsync(ConfigurationRepository repository, CancellationToken ct) =>
        Sinks(repository).ListAsync(ct);

    protected override Task<Versioned<EventSink>?> GetAsync(ConfigurationRepository repository, string name, CancellationToken ct) =>
        Sinks(repository).GetAsync(name, ct);

    protected override async Task<EventSinkDto> ToDtoAsync(EventSink value, ConfigurationReferences references, CancellationToken ct)
    {
        var locations = new List<string>();
        foreach (var location in value.SystemLocations)
            locations.Add((await references.UriOfAsync(ConfigurationApi.SystemLocations, location, ct))!);
        // The stored password is never shown; a PATCH that leaves it out keeps it (see FromDtoAsync).
        return new EventSinkDto(value.Name, value.Description, value.Url, value.Username, "", value.VerifyTls, value.Version, locations);
    }

    protected override async Task<(EventSink? Value, IResult? Error)> FromDtoAsync(EventSinkDto dto, ConfigurationReferences references, CancellationToken ct)
    {
        var locations = new List<string>();
        foreach (var reference in dto.SystemLocations ?? [])
        {
            var (name, error) = await references.ResolveAsync(ConfigurationApi.SystemLocations, reference, "system_locations", ct);
            if (error is not null) return (null, error);
            if (name is not null && !locations.Contains(name)) locations.Add(name);
        }
        return (new EventSink(dto.Name)
        {
            Description = dto.Description ?? "",
            Url = dto.Url ?? "",
            Username = dto.Username ?? "",
            Password = dto.Password ?? "",
            VerifyTls = dto.VerifyTls,
            Version = dto.Version,
            SystemLocations = locations,
        }, null);
    }

    protected override async Task<ConfigurationWriteOutcome> CreateAsync(ConfigurationRepository repository, EventSink value, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await Sinks(repository).CreateAsync(value, ct));

    protected override async Task<ConfigurationWriteOutcome> UpdateAsync(ConfigurationRepository repository, EventSink value, long expectedVersion, CancellationToken ct)
    {
        var sinks = Sinks(repository);
        // The API never shows the password, so an update that sends none keeps the stored one.
        if (value.Password.Length == 0 && value.Username.Length > 0 && await sinks.GetAsync(value.Name, ct) is { } current && current.Value.Username == value.Username)
            value = value with { Password = current.Value.Password };
        return ConfigurationWriteOutcome.Of(await sinks.UpdateAsync(value, expectedVersion, ct));
    }

    protected override async Task<ConfigurationWriteOutcome> DeleteAsync(ConfigurationRepository repository, string name, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await Sinks(repository).DeleteAsync(name, expectedVersion, ct));
}
