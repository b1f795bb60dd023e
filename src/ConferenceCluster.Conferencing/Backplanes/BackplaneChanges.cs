namespace ConferenceCluster.Conferencing.Backplanes;

/// <summary>The intermediary of a location changed (its old intermediary stopped hosting, or the location came or went).</summary>
/// <param name="Previous"><c>null</c> when the location just joined the conference.</param>
/// <param name="Current"><c>null</c> when the location no longer takes part.</param>
public sealed record IntermediaryChange(string Location, string? Previous, string? Current);

/// <summary>What a ConferenceGrain must tell the media nodes when the set of media nodes changes.</summary>
public sealed record BackplaneChanges(
    IReadOnlyList<Backplane> ToCreate,
    IReadOnlyList<Backplane> ToRemove,
    IReadOnlyList<IntermediaryChange> IntermediaryChanges)
{
    public static readonly BackplaneChanges None = new([], [], []);

    public bool IsEmpty => ToCreate.Count == 0 && ToRemove.Count == 0 && IntermediaryChanges.Count == 0;

    public static BackplaneChanges Between(BackplaneTopology before, BackplaneTopology after)
    {
        var beforeSet = before.Backplanes.ToHashSet();
        var afterSet = after.Backplanes.ToHashSet();
        var intermediaryChanges = before.Intermediaries.Keys
            .Union(after.Intermediaries.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(location => new IntermediaryChange(
                location,
                before.Intermediaries.GetValueOrDefault(location),
                after.Intermediaries.GetValueOrDefault(location)))
            .Where(c => c.Previous != c.Current)
            .ToList();
        return new BackplaneChanges(
            after.Backplanes.Where(b => !beforeSet.Contains(b)).ToList(),
            before.Backplanes.Where(b => !afterSet.Contains(b)).ToList(),
            intermediaryChanges);
    }
}
