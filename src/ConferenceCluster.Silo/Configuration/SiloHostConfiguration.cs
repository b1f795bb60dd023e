using ConferenceCluster.Storage.Documents;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace ConferenceCluster.Silo.Configuration;

/// <summary>A configuration the host refuses to start with; every problem names its key.</summary>
public sealed class SiloConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The host's options, bound from configuration and validated as a whole.</summary>
public sealed partial record SiloHostConfiguration(ClusterOptions Cluster, SiloHostOptions Silo, AdminOptions Admin, DemoOptions Demo)
{
    /// <summary>Every key the host reads (besides <c>Silo:GrainAssemblies:N</c> and ASP.NET Core's own, such as <c>Logging</c>).</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "Cluster:Id", "Cluster:Storage", "Cluster:ConnectionString", "Cluster:MoveCallsOffFailedNodes",
        "Silo:Name", "Silo:Location", "Silo:Role", "Silo:AdvertisedAddress",
        "Silo:Ports:Silo", "Silo:Ports:Gateway", "Silo:Ports:Http", "Silo:Ports:Https", "Silo:Ports:Sip", "Silo:Ports:MediaRange",
        "Silo:Https:Certificate", "Silo:Https:Key",
        "Silo:GrainAssemblies", "Silo:Capacity:AudioCalls", "Silo:DrainTimeout", "Demo:Enabled",
        "Admin:Username", "Admin:Password", "Admin:Dashboard",
        .. OptionKeys("Cluster:Membership", typeof(MembershipTimingOptions)),
        .. OptionKeys("Cluster:Messaging", typeof(MessagingTimingOptions)),
    ];

    /// <summary>Whether <c>Cluster:Membership:ProbeTimeout</c> was given (the old <c>ProbePeriod</c> stands in for it when not).</summary>
    public bool MembershipProbeTimeoutSet { get; init; }

    private static IEnumerable<string> OptionKeys(string section, Type options) =>
        options.GetProperties().Where(p => p.CanWrite).Select(p => $"{section}:{p.Name}");

    private static readonly string[] BooleanKeys = ["Cluster:MoveCallsOffFailedNodes", "Demo:Enabled", "Admin:Dashboard"];

    private static readonly string[] PortKeys = ["Silo:Ports:Silo", "Silo:Ports:Gateway", "Silo:Ports:Http", "Silo:Ports:Https", "Silo:Ports:Sip"];

    public static SiloHostConfiguration Load(IConfiguration configuration)
    {
        // The binder's own errors neither list the allowed values nor notice misspelt keys, so raw values are
        // checked first and the binder only ever sees values it can convert.
        var errors = new List<string>();
        CheckForUnknownKeys(configuration, errors);
        CheckEnumValue<ClusterStorageKind>(configuration, "Cluster:Storage", errors);
        CheckEnumValue<SiloRole>(configuration, "Silo:Role", errors);
        foreach (var key in PortKeys)
            CheckPort(configuration, key, errors);
        foreach (var key in BooleanKeys)
            CheckBoolean(configuration, key, errors);
        if (errors.Count > 0)
            throw new SiloConfigurationException(errors);

        var result = new SiloHostConfiguration(
            configuration.GetSection(ClusterOptions.SectionName).Get<ClusterOptions>() ?? new ClusterOptions(),
            configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions(),
            configuration.GetSection(AdminOptions.SectionName).Get<AdminOptions>() ?? new AdminOptions(),
            configuration.GetSection(DemoOptions.SectionName).Get<DemoOptions>() ?? new DemoOptions())
        {
            MembershipProbeTimeoutSet = configuration["Cluster:Membership:ProbeTimeout"] is not null,
        };
        result.Validate(errors);
        if (errors.Count > 0)
            throw new SiloConfigurationException(errors);
        return result;
    }

    private void Validate(List<string> errors)
    {
        if (!IdentifierPattern().IsMatch(Cluster.Id))
            errors.Add($"Cluster:Id must be letters, digits, '.', '_' or '-' (was '{Cluster.Id}')");
        if (Cluster.Storage == ClusterStorageKind.Postgres && string.IsNullOrWhiteSpace(Cluster.ConnectionString))
            errors.Add("Cluster:ConnectionString is required when Cluster:Storage is postgres");

        // Names appear in API paths (resource_uri), so they keep to URL-safe characters.
        if (!IdentifierPattern().IsMatch(Silo.Name))
            errors.Add($"Silo:Name must be letters, digits, '.', '_' or '-' (was '{Silo.Name}')");
        if (string.IsNullOrWhiteSpace(Silo.Location))
            errors.Add("Silo:Location must not be empty");
        if (Silo.DrainTimeout < TimeSpan.Zero)
            errors.Add($"Silo:DrainTimeout must not be negative (was '{Silo.DrainTimeout}')");
        if (Uri.CheckHostName(Silo.AdvertisedAddress) == UriHostNameType.Unknown)
            errors.Add($"Silo:AdvertisedAddress must be an IP address or host name (was '{Silo.AdvertisedAddress}')");
        else if (Silo.AdvertisedAddress is "0.0.0.0" or "::")
            errors.Add("Silo:AdvertisedAddress must be an address other silos can reach, not a wildcard");

        var ports = new (string Key, int Port)[] { ("Silo:Ports:Silo", Silo.Ports.Silo), ("Silo:Ports:Gateway", Silo.Ports.Gateway), ("Silo:Ports:Http", Silo.Ports.Http), ("Silo:Ports:Https", Silo.Ports.Https ?? 0) };
        if (!IsMediaRange(Silo.Ports.MediaRange))
            errors.Add($"Silo:Ports:MediaRange must be 'first-last' with 1024 <= first < last <= 65535 (was '{Silo.Ports.MediaRange}')");
        foreach (var clash in ports.Where(p => p.Port != 0).GroupBy(p => p.Port).Where(g => g.Count() > 1))
            errors.Add($"{string.Join(" and ", clash.Select(p => p.Key))} must differ (both {clash.Key})");

        ValidateHttps(errors);

        if (Silo.Capacity.AudioCalls is < 0)
            errors.Add($"Silo:Capacity:AudioCalls must not be negative (was {Silo.Capacity.AudioCalls})");

        for (var i = 0; i < Silo.GrainAssemblies.Count; i++)
        {
            if (!File.Exists(Silo.GrainAssemblies[i]))
                errors.Add($"Silo:GrainAssemblies:{i} names no file ('{Silo.GrainAssemblies[i]}')");
        }

        if (string.IsNullOrWhiteSpace(Admin.Username) || Admin.Username.Contains(':'))
            errors.Add("Admin:Username must be non-empty and contain no ':' (HTTP Basic authentication)");
        if (Admin.Password is not null && string.IsNullOrWhiteSpace(Admin.Password))
            errors.Add("Admin:Password must not be blank; leave it unset to have the cluster generate one");
    }

    private void ValidateHttps(List<string> errors)
    {
        var https = Silo.Https;
        if ((https.Certificate ?? https.Key) is not null && Silo.Ports.Https is null)
            errors.Add("Silo:Https:Certificate and Silo:Https:Key need Silo:Ports:Https (the HTTPS port)");
        if (https.Certificate is { } certificate && !File.Exists(certificate))
            errors.Add($"Silo:Https:Certificate names no file ('{certificate}')");
        if (https.Key is { } key && !File.Exists(key))
            errors.Add($"Silo:Https:Key names no file ('{key}')");
        if (https.Key is not null && https.Certificate is null)
            errors.Add("Silo:Https:Key needs Silo:Https:Certificate (the PEM certificate it belongs to)");
    }

    private static bool IsMediaRange(string text)
    {
        if (!MediaRangePattern().IsMatch(text)) return false;
        var bounds = text.Split('-').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        return bounds[0] >= 1024 && bounds[1] <= 65535 && bounds[0] < bounds[1];
    }

    private static void CheckForUnknownKeys(IConfiguration configuration, List<string> errors)
    {
        foreach (var section in new[] { ClusterOptions.SectionName, SiloHostOptions.SectionName, AdminOptions.SectionName, DemoOptions.SectionName })
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is null || Keys.Contains(key, StringComparer.OrdinalIgnoreCase) || GrainAssemblyKeyPattern().IsMatch(key))
                    continue;
                errors.Add($"{key} is not a configuration key; known keys: {string.Join(", ", Keys)}");
            }
        }
    }

    private static void CheckEnumValue<TEnum>(IConfiguration configuration, string key, List<string> errors) where TEnum : struct, Enum
    {
        var raw = configuration[key];
        if (raw is null || Enum.GetNames<TEnum>().Any(n => string.Equals(n, raw, StringComparison.OrdinalIgnoreCase)))
            return;
        errors.Add($"{key} must be one of {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))} (was '{raw}')");
    }

    private static void CheckPort(IConfiguration configuration, string key, List<string> errors)
    {
        var raw = configuration[key];
        if (raw is null)
            return;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            errors.Add($"{key} must be a port number from 0 (ephemeral) to 65535 (was '{raw}')");
    }

    private static void CheckBoolean(IConfiguration configuration, string key, List<string> errors)
    {
        var raw = configuration[key];
        if (raw is not null && !bool.TryParse(raw, out _))
            errors.Add($"{key} must be true or false (was '{raw}')");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^\d{1,5}-\d{1,5}$")]
    private static partial Regex MediaRangePattern();

    [GeneratedRegex(@"^Silo:GrainAssemblies:\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex GrainAssemblyKeyPattern();
}
