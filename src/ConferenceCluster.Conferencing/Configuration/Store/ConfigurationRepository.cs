using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Conferencing.Configuration.Store;

public enum ConfigurationWriteStatus
{
    Ok,
    /// <summary>Validation found errors; nothing was written (warnings alone never refuse, see docs/decisions.md).</summary>
    Invalid,
    /// <summary>The object changed since the version the caller quoted (optimistic concurrency).</summary>
    Conflict,
    NotFound,
    AlreadyExists,
}

/// <summary>The outcome of a configuration write, with the findings of validation (warnings even on success).</summary>
public sealed record ConfigurationWriteResult<T>(ConfigurationWriteStatus Status, Versioned<T>? Saved, ValidationReport Report)
{
    public bool Succeeded => Status == ConfigurationWriteStatus.Ok;

    internal static ConfigurationWriteResult<T> Fail(ConfigurationWriteStatus status, ValidationReport? report = null) =>
        new(status, null, report ?? ValidationReport.Empty);
}

/// <summary>
/// Create, read, update and delete of the platform configuration in the cluster database: system locations,
/// Conferencing Nodes (<c>worker_vm</c>), Virtual Meeting Rooms with their aliases (<c>conference</c>) and global settings.
/// Every update quotes the version it read; every change is validated with the domain's <c>Validate()</c> methods.
/// </summary>
/// <remarks>
/// Topology checks (dangling location references, duplicate names, R12) need the whole platform, so a location or
/// node change is validated as the platform it would produce; it is refused only for errors it would <em>add</em>,
/// so one bad object (for example a self-registered node naming a location nobody created yet) does not block
/// unrelated changes. Two racing changes can each pass this check against the platform they read; the store's
/// per-document versions make each write atomic, not the pair, and the next validation shows what they produced.
/// Alias uniqueness is enforced by the store itself: each alias is a document keyed by the lower-cased alias,
/// claimed with an insert-if-absent before the room is written, so two rooms can never both win one alias. A claim whose
/// room does not list the alias is left alone for <see cref="AliasClaimGrace"/> (its writer may be about to write the
/// room) and only then taken over (its writer crashed between the two writes).
/// </remarks>
public sealed class ConfigurationRepository(IClusterDocumentStore documents, TimeProvider? time = null)
{
    /// <summary>Far longer than any create or update takes between claiming an alias and writing its room.</summary>
    public static readonly TimeSpan AliasClaimGrace = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private IClusterDocumentStore Documents => documents;

    /// <summary>The cluster database, for configuration kept outside this repository (event sinks).</summary>
    public IClusterDocumentStore Store => documents;

    /// <summary>Reads everything; the change counter is read first, so a change racing the read shows up at the next poll.</summary>
    public async Task<ConfigurationSnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        var counter = await Documents.GetChangeCounterAsync(cancellationToken).ConfigureAwait(false);
        var locations = await ListAsync<SystemLocation>(ConfigurationCollections.SystemLocations, cancellationToken).ConfigureAwait(false);
        var nodes = await ListAsync<NodeRecord>(ConfigurationCollections.Nodes, cancellationToken).ConfigureAwait(false);
        var conferences = await ListAsync<VirtualMeetingRoom>(ConfigurationCollections.Conferences, cancellationToken).ConfigureAwait(false);
        var global = await GetGlobalSettingsAsync(cancellationToken).ConfigureAwait(false);
        return new ConfigurationSnapshot(counter, locations.Select(l => l.Value), nodes.Select(n => n.Value), conferences.Select(c => c.Value), global.Value);
    }

    // ---- system locations ----

    public Task<IReadOnlyList<Versioned<SystemLocation>>> ListLocationsAsync(CancellationToken cancellationToken = default) =>
        ListAsync<SystemLocation>(ConfigurationCollections.SystemLocations, cancellationToken);

    public Task<Versioned<SystemLocation>?> GetLocationAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<SystemLocation>(ConfigurationCollections.SystemLocations, name, cancellationToken);

    public async Task<ConfigurationWriteResult<SystemLocation>> CreateLocationAsync(SystemLocation location, CancellationToken cancellationToken = default)
    {
        if (await GetLocationAsync(location.Name, cancellationToken).ConfigureAwait(false) is not null)
            return ConfigurationWriteResult<SystemLocation>.Fail(ConfigurationWriteStatus.AlreadyExists);
        var report = await ValidatePlatformChangeAsync(p => p with { Locations = [.. p.Locations, location] }, location.Validate(), cancellationToken).ConfigureAwait(false);
        return report.IsValid
            ? await InsertAsync(ConfigurationCollections.SystemLocations, location.Name, location, report, cancellationToken).ConfigureAwait(false)
            : ConfigurationWriteResult<SystemLocation>.Fail(ConfigurationWriteStatus.Invalid, report);
    }

    public async Task<ConfigurationWriteResult<SystemLocation>> UpdateLocationAsync(SystemLocation location, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var report = await ValidatePlatformChangeAsync(
            p => p with { Locations = [.. p.Locations.Where(l => l.Name != location.Name), location] }, location.Validate(), cancellationToken).ConfigureAwait(false);
        return report.IsValid
            ? await UpdateAsync(ConfigurationCollections.SystemLocations, location.Name, location, expectedVersion, report, cancellationToken).ConfigureAwait(false)
            : ConfigurationWriteResult<SystemLocation>.Fail(ConfigurationWriteStatus.Invalid, report);
    }

    /// <summary>Refused while a node or another location still names it (the platform would gain dangling references).</summary>
    public async Task<ConfigurationWriteResult<SystemLocation>> DeleteLocationAsync(string name, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var report = await ValidatePlatformChangeAsync(
            p => p with { Locations = p.Locations.Where(l => l.Name != name).ToList() }, ValidationReport.Empty, cancellationToken).ConfigureAwait(false);
        return report.IsValid
            ? await DeleteAsync<SystemLocation>(ConfigurationCollections.SystemLocations, name, expectedVersion, cancellationToken).ConfigureAwait(false)
            : ConfigurationWriteResult<SystemLocation>.Fail(ConfigurationWriteStatus.Invalid, report);
    }

    // ---- Conferencing Nodes ----

    public Task<IReadOnlyList<Versioned<NodeRecord>>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        ListAsync<NodeRecord>(ConfigurationCollections.Nodes, cancellationToken);

    public Task<Versioned<NodeRecord>?> GetNodeAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<NodeRecord>(ConfigurationCollections.Nodes, name, cancellationToken);

    /// <summary>An operator creates a node; from then on its silo never rewrites the record from its metadata.</summary>
    public async Task<ConfigurationWriteResult<NodeRecord>> CreateNodeAsync(ConferencingNode node, CancellationToken cancellationToken = default)
    {
        if (await GetNodeAsync(node.Name, cancellationToken).ConfigureAwait(false) is not null)
            return ConfigurationWriteResult<NodeRecord>.Fail(ConfigurationWriteStatus.AlreadyExists);
        var report = await ValidatePlatformChangeAsync(p => p with { Nodes = [.. p.Nodes, node] }, node.Validate(), cancellationToken).ConfigureAwait(false);
        return report.IsValid
            ? await InsertAsync(ConfigurationCollections.Nodes, node.Name, new NodeRecord(node, NodeOrigin.Operator), report, cancellationToken).ConfigureAwait(false)
            : ConfigurationWriteResult<NodeRecord>.Fail(ConfigurationWriteStatus.Invalid, report);
    }

    /// <summary>An operator edits a node (including one that registered itself, which the operator then owns).</summary>
    public async Task<ConfigurationWriteResult<NodeRecord>> UpdateNodeAsync(ConferencingNode node, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var report = await ValidatePlatformChangeAsync(
            p => p with { Nodes = [.. p.Nodes.Where(n => n.Name != node.Name), node] }, node.Validate(), cancellationToken).ConfigureAwait(false);
        return report.IsValid
            ? await UpdateAsync(ConfigurationCollections.Nodes, node.Name, new NodeRecord(node, NodeOrigin.Operator), expectedVersion, report, cancellationToken).ConfigureAwait(false)
            : ConfigurationWriteResult<NodeRecord>.Fail(ConfigurationWriteStatus.Invalid, report);
    }

    public Task<ConfigurationWriteResult<NodeRecord>> DeleteNodeAsync(string name, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        DeleteAsync<NodeRecord>(ConfigurationCollections.Nodes, name, expectedVersion, cancellationToken);

    /// <summary>
    /// A silo records itself as a Conferencing Node from its metadata, unless an operator configured that node. A record
    /// it wrote earlier is rewritten when its metadata changed (a silo restarted with another capacity, say).
    /// </summary>
    public async Task<NodeRecord> RegisterSelfAsync(ConferencingNode fromMetadata, CancellationToken cancellationToken = default)
    {
        var mine = new NodeRecord(fromMetadata, NodeOrigin.SelfRegistered);
        while (true)
        {
            var existing = await GetNodeAsync(fromMetadata.Name, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                if (await Documents.TryInsertAsync(ConfigurationCollections.Nodes, fromMetadata.Name, ConfigurationCollections.Serialize(mine), cancellationToken).ConfigureAwait(false) is not null)
                    return mine;
                continue;
            }
            if (existing.Value.Origin == NodeOrigin.Operator || existing.Value == mine)
                return existing.Value;
            if (await Documents.TryUpdateAsync(ConfigurationCollections.Nodes, fromMetadata.Name, ConfigurationCollections.Serialize(mine), existing.Version, cancellationToken).ConfigureAwait(false) is not null)
                return mine;
        }
    }

    // ---- Virtual Meeting Rooms and aliases ----

    public Task<IReadOnlyList<Versioned<VirtualMeetingRoom>>> ListConferencesAsync(CancellationToken cancellationToken = default) =>
        ListAsync<VirtualMeetingRoom>(ConfigurationCollections.Conferences, cancellationToken);

    public Task<Versioned<VirtualMeetingRoom>?> GetConferenceAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<VirtualMeetingRoom>(ConfigurationCollections.Conferences, name, cancellationToken);

    /// <summary>The conference an alias leads to (case-insensitive, L6788), or null.</summary>
    public async Task<string?> ResolveAliasAsync(string alias, CancellationToken cancellationToken = default)
    {
        var document = await Documents.GetAsync(ConfigurationCollections.ConferenceAliases, AliasKey(alias), cancellationToken).ConfigureAwait(false);
        if (document is null) return null;
        var record = ConfigurationCollections.Deserialize<AliasRecord>(document.Json);
        return await IsAliasOfAsync(record, cancellationToken).ConfigureAwait(false) ? record.Conference : null;
    }

    public async Task<ConfigurationWriteResult<VirtualMeetingRoom>> CreateConferenceAsync(VirtualMeetingRoom room, CancellationToken cancellationToken = default)
    {
        var report = room.Validate();
        if (!report.IsValid) return ConfigurationWriteResult<VirtualMeetingRoom>.Fail(ConfigurationWriteStatus.Invalid, report);
        var (claimed, aliasReport) = await ClaimAliasesAsync(room, cancellationToken).ConfigureAwait(false);
        if (!aliasReport.IsValid) return ConfigurationWriteResult<VirtualMeetingRoom>.Fail(ConfigurationWriteStatus.Invalid, report.Merge(aliasReport));
        var result = await InsertAsync(ConfigurationCollections.Conferences, room.Name, room, report, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) await ReleaseAliasesAsync(room.Name, claimed, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<ConfigurationWriteResult<VirtualMeetingRoom>> UpdateConferenceAsync(VirtualMeetingRoom room, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var report = room.Validate();
        if (!report.IsValid) return ConfigurationWriteResult<VirtualMeetingRoom>.Fail(ConfigurationWriteStatus.Invalid, report);
        var before = await GetConferenceAsync(room.Name, cancellationToken).ConfigureAwait(false);
        if (before is null) return ConfigurationWriteResult<VirtualMeetingRoom>.Fail(ConfigurationWriteStatus.NotFound);
        var (claimed, aliasReport) = await ClaimAliasesAsync(room, cancellationToken).ConfigureAwait(false);
        if (!aliasReport.IsValid) return ConfigurationWriteResult<VirtualMeetingRoom>.Fail(ConfigurationWriteStatus.Invalid, report.Merge(aliasReport));
        var result = await UpdateAsync(ConfigurationCollections.Conferences, room.Name, room, expectedVersion, report, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await ReleaseAliasesAsync(room.Name, claimed, cancellationToken).ConfigureAwait(false);
            return result;
        }
        var kept = room.Aliases.Select(a => AliasKey(a.Alias)).ToHashSet(StringComparer.Ordinal);
        await ReleaseAliasesAsync(room.Name, before.Value.Aliases.Select(a => AliasKey(a.Alias)).Where(k => !kept.Contains(k)), cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<ConfigurationWriteResult<VirtualMeetingRoom>> DeleteConferenceAsync(string name, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var before = await GetConferenceAsync(name, cancellationToken).ConfigureAwait(false);
        if (before is null) return ConfigurationWriteResult<VirtualMeetingRoom>.Fail(ConfigurationWriteStatus.NotFound);
        var result = await DeleteAsync<VirtualMeetingRoom>(ConfigurationCollections.Conferences, name, expectedVersion ?? before.Version, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
            await ReleaseAliasesAsync(name, before.Value.Aliases.Select(a => AliasKey(a.Alias)), cancellationToken).ConfigureAwait(false);
        return result;
    }

    // ---- global settings ----

    /// <summary>The global settings; defaults (version 0) until someone saves them.</summary>
    public async Task<Versioned<GlobalSettings>> GetGlobalSettingsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<GlobalSettings>(ConfigurationCollections.Global, ConfigurationCollections.GlobalId, cancellationToken).ConfigureAwait(false)
        ?? new Versioned<GlobalSettings>(GlobalSettings.Default, 0);

    /// <summary>Saves the global settings; <paramref name="expectedVersion"/> 0 means "never saved before".</summary>
    public async Task<ConfigurationWriteResult<GlobalSettings>> UpdateGlobalSettingsAsync(GlobalSettings settings, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var report = settings.Validate();
        if (!report.IsValid) return ConfigurationWriteResult<GlobalSettings>.Fail(ConfigurationWriteStatus.Invalid, report);
        if (expectedVersion != 0)
            return await UpdateAsync(ConfigurationCollections.Global, ConfigurationCollections.GlobalId, settings, expectedVersion, report, cancellationToken).ConfigureAwait(false);
        var inserted = await InsertAsync(ConfigurationCollections.Global, ConfigurationCollections.GlobalId, settings, report, cancellationToken).ConfigureAwait(false);
        return inserted.Status == ConfigurationWriteStatus.AlreadyExists ? ConfigurationWriteResult<GlobalSettings>.Fail(ConfigurationWriteStatus.Conflict) : inserted;
    }

    // ---- helpers ----

    private static string AliasKey(string alias) => alias.ToLowerInvariant();

    private async Task<ValidationReport> ValidatePlatformChangeAsync(
        Func<PlatformConfiguration, PlatformConfiguration> change, ValidationReport entityReport, CancellationToken cancellationToken)
    {
        var current = (await LoadAsync(cancellationToken).ConfigureAwait(false)).Platform;
        var before = current.Validate().Errors.Select(e => e.ToString()).ToHashSet(StringComparer.Ordinal);
        var after = change(current).Validate();
        // Errors the change adds refuse it; the entity's own findings and any new warnings are reported.
        var added = after.Issues.Where(i => i.Severity == IssueSeverity.Warning || !before.Contains(i.ToString()));
        return new ValidationReport(entityReport.Issues.Concat(added).Distinct());
    }

    /// <summary>Claims every alias of the room; an alias whose record names a room that no longer lists it is stale and taken over.</summary>
    private async Task<(List<string> Claimed, ValidationReport Report)> ClaimAliasesAsync(VirtualMeetingRoom room, CancellationToken cancellationToken)
    {
        var claimed = new List<string>();
        var issues = new List<ConfigurationIssue>();
        for (var i = 0; i < room.Aliases.Count; i++)
        {
            var alias = room.Aliases[i].Alias;
            var key = AliasKey(alias);
            var json = ConfigurationCollections.Serialize(new AliasRecord(alias, room.Name, _time.GetUtcNow()));
            while (true)
            {
                if (await Documents.TryInsertAsync(ConfigurationCollections.ConferenceAliases, key, json, cancellationToken).ConfigureAwait(false) is not null)
                {
                    claimed.Add(key);
                    break;
                }
                var existing = await Documents.GetAsync(ConfigurationCollections.ConferenceAliases, key, cancellationToken).ConfigureAwait(false);
                if (existing is null) continue;
                var record = ConfigurationCollections.Deserialize<AliasRecord>(existing.Json);
                if (record.Conference == room.Name) break;
                if (_time.GetUtcNow() - record.ClaimedAt < AliasClaimGrace || await IsAliasOfAsync(record, cancellationToken).ConfigureAwait(false))
                {
                    issues.Add(new(IssueSeverity.Error, $"conference \"{room.Name}\"", $"aliases[{i}].alias", "R-ALIAS-1",
                        $"Alias \"{alias}\" already belongs to conference \"{record.Conference}\"; aliases are unique (L6788)."));
                    break;
                }
                if (await Documents.TryUpdateAsync(ConfigurationCollections.ConferenceAliases, key, json, existing.Version, cancellationToken).ConfigureAwait(false) is not null)
                {
                    claimed.Add(key);
                    break;
                }
            }
        }
        if (issues.Count > 0) await ReleaseAliasesAsync(room.Name, claimed, cancellationToken).ConfigureAwait(false);
        return (claimed, new ValidationReport(issues));
    }

    private async Task<bool> IsAliasOfAsync(AliasRecord record, CancellationToken cancellationToken)
    {
        var owner = await GetConferenceAsync(record.Conference, cancellationToken).ConfigureAwait(false);
        return owner is not null && owner.Value.Aliases.Any(a => string.Equals(a.Alias, record.Alias, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Deletes alias records that still name this room (never one another room has taken over since).</summary>
    private async Task ReleaseAliasesAsync(string room, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            var existing = await Documents.GetAsync(ConfigurationCollections.ConferenceAliases, key, cancellationToken).ConfigureAwait(false);
            if (existing is not null && ConfigurationCollections.Deserialize<AliasRecord>(existing.Json).Conference == room)
                await Documents.DeleteAsync(ConfigurationCollections.ConferenceAliases, key, existing.Version, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<Versioned<T>>> ListAsync<T>(string collection, CancellationToken cancellationToken)
    {
        var documents = await Documents.ListAsync(collection, cancellationToken).ConfigureAwait(false);
        return documents.Select(d => new Versioned<T>(ConfigurationCollections.Deserialize<T>(d.Json), d.Version)).ToList();
    }

    private async Task<Versioned<T>?> GetAsync<T>(string collection, string id, CancellationToken cancellationToken)
    {
        var document = await Documents.GetAsync(collection, id, cancellationToken).ConfigureAwait(false);
        return document is null ? null : new Versioned<T>(ConfigurationCollections.Deserialize<T>(document.Json), document.Version);
    }

    private async Task<ConfigurationWriteResult<T>> InsertAsync<T>(string collection, string id, T value, ValidationReport report, CancellationToken cancellationToken)
    {
        var saved = await Documents.TryInsertAsync(collection, id, ConfigurationCollections.Serialize(value), cancellationToken).ConfigureAwait(false);
        return saved is null
            ? ConfigurationWriteResult<T>.Fail(ConfigurationWriteStatus.AlreadyExists, report)
            : new(ConfigurationWriteStatus.Ok, new Versioned<T>(value, saved.Version), report);
    }

    private async Task<ConfigurationWriteResult<T>> UpdateAsync<T>(string collection, string id, T value, long expectedVersion, ValidationReport report, CancellationToken cancellationToken)
    {
        var saved = await Documents.TryUpdateAsync(collection, id, ConfigurationCollections.Serialize(value), expectedVersion, cancellationToken).ConfigureAwait(false);
        if (saved is not null) return new(ConfigurationWriteStatus.Ok, new Versioned<T>(value, saved.Version), report);
        var exists = await Documents.GetAsync(collection, id, cancellationToken).ConfigureAwait(false) is not null;
        return ConfigurationWriteResult<T>.Fail(exists ? ConfigurationWriteStatus.Conflict : ConfigurationWriteStatus.NotFound, report);
    }

    private async Task<ConfigurationWriteResult<T>> DeleteAsync<T>(string collection, string id, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (await Documents.DeleteAsync(collection, id, expectedVersion, cancellationToken).ConfigureAwait(false))
            return new(ConfigurationWriteStatus.Ok, null, ValidationReport.Empty);
        var exists = await Documents.GetAsync(collection, id, cancellationToken).ConfigureAwait(false) is not null;
        return ConfigurationWriteResult<T>.Fail(exists ? ConfigurationWriteStatus.Conflict : ConfigurationWriteStatus.NotFound);
    }
}
