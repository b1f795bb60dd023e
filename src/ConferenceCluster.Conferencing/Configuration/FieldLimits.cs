namespace ConferenceCluster.Conferencing.Configuration;

/// <summary>
/// The longest names, aliases and descriptions the configuration takes, as Pexip limits them (docs/decisions.md,
/// "Configuration validation"). The seed gives 250 characters for aliases and their descriptions (L9535, L9537) and for
/// the name, description and service tag of every other service and rule it states a limit for (L9426–9430,
/// L9511–9513); it states none for Virtual Meeting Rooms, system locations, Conferencing Nodes or event sinks, which
/// take the same 250.
/// </summary>
public static class FieldLimits
{
    /// <summary>"Maximum length: 250 characters" for an alias (L9535).</summary>
    public const int Alias = 250;

    /// <summary>Names of services and rules (L9426, L9511).</summary>
    public const int Name = 250;

    /// <summary>Descriptions of services, rules and aliases (L9430, L9513, L9537).</summary>
    public const int Description = 250;

    /// <summary>A service tag (L9428).</summary>
    public const int ServiceTag = 250;

    /// <summary>An error when <paramref name="value"/> is longer than <paramref name="limit"/>; the field as the API spells it.</summary>
    public static ConfigurationIssue? TooLong(string entity, string field, string? value, int limit, string rule) =>
        value is { Length: var length } && length > limit
            ? new ConfigurationIssue(IssueSeverity.Error, entity, field, rule, $"{field} is {length} characters long; at most {limit} are allowed.")
            : null;

    /// <summary>
    /// The entity an issue is about, e.g. <c>system_location "London"</c>; a name over the limit is cut, so the error
    /// that refuses it does not repeat all of it.
    /// </summary>
    public static string Entity(string kind, string name) =>
        name.Length <= Name ? $"{kind} \"{name}\"" : $"{kind} \"{name[..40]}…\"";
}
