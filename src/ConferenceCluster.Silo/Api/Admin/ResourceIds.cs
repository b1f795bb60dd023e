using System.Globalization;
using System.Text.Json;
using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Silo.Api.Admin;

/// <summary>
/// Pexip's numeric ids for configuration objects, which the repository keys by name. Two small collections per
/// resource in the cluster database: <c>api_id.&lt;resource&gt;</c> (id → name, never deleted, so an id is never
/// reused) and <c>api_name.&lt;resource&gt;</c> (name → id, deleted with the object). An id is the live one only while
/// both agree, so a deleted object's id answers 404 even when a new object takes its name (and gets a new id).
/// </summary>
/// <remarks>
/// Ids are assigned on first sight, not only by the API's POST: nodes register themselves and tests or tools may
/// write through the repository, and those objects get an id the first time the API lists or reads them. Assignment is
/// insert-if-absent on both collections, so two silos racing to number one object agree on the winner's id.
/// </remarks>
public sealed class ResourceIds(IClusterDocumentStore documents)
{
    private sealed record IdRecord(string Name);
    private sealed record NameRecord(long Id);

    private static string IdCollection(string resource) => $"api_id.{resource}";
    private static string NameCollection(string resource) => $"api_name.{resource}";

    /// <summary>The name an id stands for, or null when the id is unknown or its object was deleted.</summary>
    public async Task<string?> NameOfAsync(string resource, long id, CancellationToken cancellationToken = default)
    {
        var byId = await documents.GetAsync(IdCollection(resource), Key(id), cancellationToken).ConfigureAwait(false);
        if (byId is null) return null;
        var name = JsonSerializer.Deserialize<IdRecord>(byId.Json)!.Name;
        var byName = await documents.GetAsync(NameCollection(resource), name, cancellationToken).ConfigureAwait(false);
        return byName is not null && JsonSerializer.Deserialize<NameRecord>(byName.Json)!.Id == id ? name : null;
    }

    /// <summary>Every numbered object of the resource: name → id (one read, for lists).</summary>
    public async Task<Dictionary<string, long>> KnownAsync(string resource, CancellationToken cancellationToken = default) =>
        (await documents.ListAsync(NameCollection(resource), cancellationToken).ConfigureAwait(false))
        .ToDictionary(d => d.Id, d => JsonSerializer.Deserialize<NameRecord>(d.Json)!.Id, StringComparer.Ordinal);

    /// <summary>The object's id, numbering it if it has none yet.</summary>
    public async Task<long> IdOfAsync(string resource, string name, CancellationToken cancellationToken = default) =>
        await documents.GetAsync(NameCollection(resource), name, cancellationToken).ConfigureAwait(false) is { } known
            ? JsonSerializer.Deserialize<NameRecord>(known.Json)!.Id
            : await AssignAsync(resource, name, cancellationToken).ConfigureAwait(false);

    /// <summary>The object is gone: its id stops answering (the id record stays, so the number is not handed out again).</summary>
    public Task ForgetAsync(string resource, string name, CancellationToken cancellationToken = default) =>
        documents.DeleteAsync(NameCollection(resource), name, cancellationToken: cancellationToken);

    private async Task<long> AssignAsync(string resource, string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = await documents.GetAsync(NameCollection(resource), name, cancellationToken).ConfigureAwait(false);
            if (existing is not null) return JsonSerializer.Deserialize<NameRecord>(existing.Json)!.Id;

            var taken = await documents.ListAsync(IdCollection(resource), cancellationToken).ConfigureAwait(false);
            var next = taken.Select(d => long.Parse(d.Id, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1;
            if (await documents.TryInsertAsync(IdCollection(resource), Key(next), JsonSerializer.Serialize(new IdRecord(name)), cancellationToken).ConfigureAwait(false) is null)
                continue; // another silo took that number: count again
            if (await documents.TryInsertAsync(NameCollection(resource), name, JsonSerializer.Serialize(new NameRecord(next)), cancellationToken).ConfigureAwait(false) is not null)
                return next;
            // Another silo numbered this object first; our number stays unused (NameOfAsync never resolves it).
        }
    }

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);
}
