using ConferenceCluster.Conferencing.Configuration;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>
/// An event sink (System &gt; Event Sinks, L3031–3081): a URL every node of its locations POSTs its participant and
/// conference events to, as JSON (L3035).
/// </summary>
public sealed record EventSink
{
    /// <summary>The only event sink API version we publish (the envelope's <c>version</c>).</summary>
    public const int CurrentVersion = 1;

    public EventSink(string name) => Name = name;

    /// <summary>"Each event sink must have a unique name" (L3059).</summary>
    public string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>An http or https URL (L3063).</summary>
    public string Url { get; init; } = "";

    /// <summary>Basic authentication; both blank when none is required, case-sensitive (L3064).</summary>
    public string Username { get; init; } = "";

    public string Password { get; init; } = "";

    /// <summary>Only valid for an HTTPS URL (L3065); on by default (our choice: the seed gives none).</summary>
    public bool VerifyTls { get; init; } = true;

    /// <summary>The event sink API version the body follows; 1 is the only one.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>
    /// The system locations whose nodes publish to it (many-to-many, L3052, L3066). A sink in no location receives
    /// nothing, as in Pexip.
    /// </summary>
    public IReadOnlyList<string> SystemLocations { get; init; } = [];

    public bool Equivalent(EventSink other) =>
        Name == other.Name && Description == other.Description && Url == other.Url && Username == other.Username && Password == other.Password
        && VerifyTls == other.VerifyTls && Version == other.Version && SystemLocations.SequenceEqual(other.SystemLocations);

    public ValidationReport Validate(IReadOnlyCollection<string> knownLocations)
    {
        var entity = FieldLimits.Entity("event_sink", Name);
        var issues = new List<ConfigurationIssue>();
        void Error(string field, string rule, string message) => issues.Add(new(IssueSeverity.Error, entity, field, rule, message));
        if (string.IsNullOrWhiteSpace(Name))
            Error("name", "L3059", "An event sink needs a name.");
        issues.AddRange(new[]
        {
            FieldLimits.TooLong(entity, "name", Name, FieldLimits.Name, "L9511"),
            FieldLimits.TooLong(entity, "description", Description, FieldLimits.Description, "L9513"),
        }.OfType<ConfigurationIssue>());
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            Error("url", "L3063", $"\"{Url}\" is not an absolute http or https URL.");
        else if (!VerifyTls && url.Scheme != Uri.UriSchemeHttps)
            Error("verify_tls", "L3065", "verify_tls applies only to an https URL; leave it on for http.");
        if (Username.Length == 0 != (Password.Length == 0))
            Error(Username.Length == 0 ? "username" : "password", "L3064", "Give both username and password, or neither.");
        if (Version != CurrentVersion)
            Error("version", "R-ES-7", $"Version {Version} is not supported; the only event sink API version is {CurrentVersion}.");
        foreach (var location in SystemLocations.Where(l => !knownLocations.Contains(l)))
            Error("system_locations", "L3066", $"\"{location}\" is not a system location.");
        return new ValidationReport(issues);
    }
}
