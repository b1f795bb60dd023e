using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>Event sinks in the cluster database (collection <c>event_sink</c>, one document per sink, keyed by name).</summary>
public sealed class EventSinkRepository(IClusterDocumentStore store)
{
    public const string Collection = "event_sink";

    public async Task<IReadOnlyList<Versioned<EventSink>>> ListAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(Collection, cancellationToken).ConfigureAwait(false))
        .Select(d => new Versioned<EventSink>(ConfigurationCollections.Deserialize<EventSink>(d.Json), d.Version)).ToList();

    public async Task<Versioned<EventSink>?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        await store.GetAsync(Collection, name, cancellationToken).ConfigureAwait(false) is { } d
            ? new Versioned<EventSink>(ConfigurationCollections.Deserialize<EventSink>(d.Json), d.Version)
            : null;

    public async Task<ConfigurationWriteResult<EventSink>> CreateAsync(EventSink sink, CancellationToken cancellationToken = default)
    {
        var report = await ValidateAsync(sink, cancellationToken).ConfigureAwait(false);
        if (!report.IsValid) return new(ConfigurationWriteStatus.Invalid, null, report);
        var saved = await store.TryInsertAsync(Collection, sink.Name, ConfigurationCollections.Serialize(sink), cancellationToken).ConfigureAwait(false);
        return saved is null
            ? new(ConfigurationWriteStatus.AlreadyExists, null, report)
            : new(ConfigurationWriteStatus.Ok, new Versioned<EventSink>(sink, saved.Version), report);
    }

    public async Task<ConfigurationWriteResult<EventSink>> UpdateAsync(EventSink sink, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var report = await ValidateAsync(sink, cancellationToken).ConfigureAwait(false);
        if (!report.IsValid) return new(ConfigurationWriteStatus.Invalid, null, report);
        var saved = await store.TryUpdateAsync(Collection, sink.Name, ConfigurationCollections.Serialize(sink), expectedVersion, cancellationToken).ConfigureAwait(false);
        return saved is null
            ? new(ConfigurationWriteStatus.Conflict, null, report)
            : new(ConfigurationWriteStatus.Ok, new Versioned<EventSink>(sink, saved.Version), report);
    }

    public async Task<ConfigurationWriteResult<EventSink>> DeleteAsync(string name, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        await store.DeleteAsync(Collection, name, expectedVersion, cancellationToken).ConfigureAwait(false)
            ? new(ConfigurationWriteStatus.Ok, null, ValidationReport.Empty)
            : new(ConfigurationWriteStatus.NotFound, null, ValidationReport.Empty);

    private async Task<ValidationReport> ValidateAsync(EventSink sink, CancellationToken cancellationToken)
    {
        var locations = (await store.ListAsync(ConfigurationCollections.SystemLocations, cancellationToken).ConfigureAwait(false))
            .Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        return sink.Validate(locations);
    }
}
