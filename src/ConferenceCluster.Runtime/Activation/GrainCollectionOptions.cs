namespace ConferenceCluster.Runtime.Activation;

/// <summary>Idle activation collection (Orleans' GrainCollectionOptions).</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>An activation that received no call for this long is deactivated (Orleans 7+: 15 min).</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How often idle activations are looked for (Orleans: 1 min).</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long OnDeactivateAsync may run before the activation is dropped anyway.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
