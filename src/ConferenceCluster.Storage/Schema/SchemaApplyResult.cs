namespace ConferenceCluster.Storage.Schema;

/// <summary>What one apply of a schema did, script by script (names as in the manifest, e.g. <c>OrleansProviders/PostgreSQL-Membership.sql</c>).</summary>
/// <param name="Applied">Run now and recorded. Empty when another process (or an earlier start) had applied everything.</param>
/// <param name="AlreadyApplied">Recorded before, so not run again.</param>
/// <param name="ChangedSinceApplied">
/// Among <paramref name="AlreadyApplied"/>: the script embedded now differs from the one recorded. Scripts are never
/// edited once applied (a change is a new script at the end of the manifest), so this is a mistake in a release: the
/// script is not re-run, and the apply says so.
/// </param>
public sealed record SchemaApplyResult(
    IReadOnlyList<string> Applied,
    IReadOnlyList<string> AlreadyApplied,
    IReadOnlyList<string> ChangedSinceApplied)
{
    /// <summary>One line per script, for a log or the console.</summary>
    public IEnumerable<string> Describe() =>
        Applied.Select(s => $"applied {s}")
            .Concat(AlreadyApplied.Select(s => ChangedSinceApplied.Contains(s)
                ? $"already applied {s}, but the embedded script has changed since: not re-run (an applied script must not change; put the change in a new script)"
                : $"already applied {s}"));
}
