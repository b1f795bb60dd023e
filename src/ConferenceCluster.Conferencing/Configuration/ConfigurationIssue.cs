namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>
/// Errors make a configuration unusable and must be refused; warnings are the seed's "should" recommendations
/// (R9, R10, R11), which Pexip accepts and defines runtime behaviour for, so we report them but accept them.
/// </summary>
public enum IssueSeverity
{
    Warning,
    Error,
}

/// <summary>One finding of configuration validation.</summary>
/// <param name="Entity">The object the finding is about, e.g. <c>system_location "USA"</c>.</param>
/// <param name="Field">The field at fault, spelled as in the management API (<c>transcoding_location</c>).</param>
/// <param name="Rule">The rule id from the seed extracts (R10, R-PIN-1, ...) so an operator can look it up.</param>
public sealed record ConfigurationIssue(IssueSeverity Severity, string Entity, string Field, string Rule, string Message)
{
    public override string ToString() => $"{Severity} {Entity}.{Field} ({Rule}): {Message}";
}

/// <summary>The findings of one validation run.</summary>
public sealed class ValidationReport
{
    public static readonly ValidationReport Empty = new([]);

    public ValidationReport(IEnumerable<ConfigurationIssue> issues) => Issues = issues.ToArray();

    public IReadOnlyList<ConfigurationIssue> Issues { get; }

    public IEnumerable<ConfigurationIssue> Errors => Issues.Where(i => i.Severity == IssueSeverity.Error);

    public IEnumerable<ConfigurationIssue> Warnings => Issues.Where(i => i.Severity == IssueSeverity.Warning);

    /// <summary>True when there are no errors; warnings do not make a configuration invalid.</summary>
    public bool IsValid => !Errors.Any();

    public ValidationReport Merge(ValidationReport other) => new(Issues.Concat(other.Issues));

    public override string ToString() => Issues.Count == 0 ? "no issues" : string.Join(Environment.NewLine, Issues);
}
