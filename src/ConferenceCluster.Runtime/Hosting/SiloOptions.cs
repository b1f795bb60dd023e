namespace ConferenceCluster.Runtime.Hosting;

/// <summary>Identity and endpoints of one silo (configuration keys <c>Cluster:Id</c>, <c>Silo:*</c>).</summary>
public sealed class SiloOptions
{
    public string ClusterId { get; set; } = "conference-cluster";
    public string SiloName { get; set; } = Environment.MachineName;
    /// <summary>The address other silos and clients use to reach this one.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";
    /// <summary>The address the silo and gateway listeners bind to.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";
    /// <summary>Silo-to-silo port (Orleans' default 11111); 0 takes an ephemeral port (tests).</summary>
    public int SiloPort { get; set; } = 11111;
    /// <summary>Client gateway port (Orleans' default 30000); 0 takes an ephemeral port; see <see cref="GatewayEnabled"/>.</summary>
    public int GatewayPort { get; set; } = 30000;
    public bool GatewayEnabled { get; set; } = true;
    /// <summary>Published in the membership row: system location, role, HTTP port and whatever the layers above need to know of a silo.</summary>
    public Dictionary<string, string> Metadata { get; set; } = new();
}

/// <summary>Well-known keys of <see cref="SiloOptions.Metadata"/>.</summary>
public static class SiloMetadataKeys
{
    public const string Location = "location";
    public const string Role = "role";
    public const string HttpPort = "http-port";
    public const string SipPort = "sip-port";
}
