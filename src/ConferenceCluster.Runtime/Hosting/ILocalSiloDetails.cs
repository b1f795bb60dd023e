using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Hosting;

/// <summary>Who this silo is: what grains and services ask about the silo they run on.</summary>
public interface ILocalSiloDetails
{
    SiloAddress SiloAddress { get; }
    string Name { get; }
    string ClusterId { get; }
    /// <summary>The gateway port clients connect to; 0 when this silo has no gateway.</summary>
    int GatewayPort { get; }
    IReadOnlyDictionary<string, string> Metadata { get; }
}
