using ConferenceCluster.Conferencing.Operations;
using ConferenceCluster.Conferencing.Operations.Bursting;

namespace ConferenceCluster.Silo.Configuration;

/// <summary>The <c>Operations</c> section: event sink and bursting tunables (<see cref="OperationsOptions"/>), checked so a bad value names its key.</summary>
public static class OperationsConfiguration
{
    public const string SectionName = "Operations";

    public static OperationsOptions Load(IConfiguration configuration)
    {
        OperationsOptions options;
        try
        {
            options = configuration.GetSection(SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new SiloConfigurationException([$"{SectionName}: {ex.Message}"]);
        }
        var errors = new List<string>();
        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero) errors.Add($"{SectionName}:{key} must be positive (was '{value}')");
        }
        Positive("EventSinks:InitialRetryDelay", options.EventSinks.InitialRetryDelay);
        Positive("EventSinks:MaximumBackoff", options.EventSinks.MaximumBackoff);
        Positive("EventSinks:RequestTimeout", options.EventSinks.RequestTimeout);
        Positive("EventSinks:ConfigurationRefreshInterval", options.EventSinks.ConfigurationRefreshInterval);
        if (options.EventSinks.QueueLimit < 1)
            errors.Add($"{SectionName}:EventSinks:QueueLimit must be at least 1 (was {options.EventSinks.QueueLimit})");
        Positive("Bursting:TickInterval", options.Bursting.TickInterval);
        Positive("Bursting:StartTimeout", options.Bursting.StartTimeout);
        if (string.IsNullOrWhiteSpace(options.Bursting.TagValue))
            errors.Add($"{SectionName}:Bursting:TagValue must not be empty");
        switch (options.Bursting.Provider)
        {
            case OverflowProviderKind.Process:
                for (var i = 0; i < options.Bursting.Process.Nodes.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(options.Bursting.Process.Nodes[i].Name))
                        errors.Add($"{SectionName}:Bursting:Process:Nodes:{i}:Name must not be empty");
                    if (string.IsNullOrWhiteSpace(options.Bursting.Process.Nodes[i].FileName))
                        errors.Add($"{SectionName}:Bursting:Process:Nodes:{i}:FileName must not be empty");
                }
                break;
            case OverflowProviderKind.Command:
                foreach (var (key, command) in new[] { ("ListCommand", options.Bursting.Command.ListCommand), ("StartCommand", options.Bursting.Command.StartCommand), ("StopCommand", options.Bursting.Command.StopCommand) })
                    if (string.IsNullOrWhiteSpace(command))
                        errors.Add($"{SectionName}:Bursting:Command:{key} is required when Bursting:Provider is command");
                break;
            case OverflowProviderKind.Azure:
                if (string.IsNullOrWhiteSpace(options.Bursting.Azure.SubscriptionId))
                    errors.Add($"{SectionName}:Bursting:Azure:SubscriptionId is required when Bursting:Provider is azure");
                if (options.Bursting.Azure.ClientId.Length > 0 && (options.Bursting.Azure.ClientSecret.Length == 0 || options.Bursting.Azure.TenantId.Length == 0))
                    errors.Add($"{SectionName}:Bursting:Azure:ClientSecret and TenantId are required with a ClientId");
                break;
        }
        if (errors.Count > 0) throw new SiloConfigurationException(errors);
        return options;
    }
}
