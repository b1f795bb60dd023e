namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>Which <see cref="IOverflowNodeProvider"/> runs the overflow nodes.</summary>
public enum OverflowProviderKind
{
    /// <summary>No provider: bursting reports status but can start nothing.</summary>
    None,
    /// <summary>Local silo processes (<see cref="ProcessProviderOptions"/>).</summary>
    Process,
    /// <summary>Operator-configured shell commands (<see cref="CommandProviderOptions"/>).</summary>
    Command,
    /// <summary>Azure VMs through the Resource Manager REST API (<see cref="AzureProviderOptions"/>).</summary>
    Azure,
}

/// <summary>Tunables of the bursting controller (configuration section <c>Operations:Bursting</c>).</summary>
public sealed class BurstingOptions
{
    /// <summary>The tag every overflow instance carries (AZ:618): only instances with it are considered.</summary>
    public const string TagName = "pexip-cloud";

    /// <summary>
    /// How often the controller evaluates. The seed gives none; its status page refreshes every 15 s (L2122), so the
    /// controller acts at least that often.
    /// </summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The value of the <see cref="TagName"/> tag our instances carry: Pexip uses the Management Node's hostname (AZ:618).</summary>
    public string TagValue { get; set; } = "conference-cluster";

    /// <summary>
    /// How long a started node may take to join the cluster before the controller gives up on it (stops it and raises
    /// <c>bursting_error</c>). The seed says ≈5 minutes to become available (L2054); we allow three times that.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public OverflowProviderKind Provider { get; set; } = OverflowProviderKind.None;

    public ProcessProviderOptions Process { get; set; } = new();

    public CommandProviderOptions Command { get; set; } = new();

    public AzureProviderOptions Azure { get; set; } = new();
}

/// <summary>One local silo process the <c>process</c> provider can start: its node name and how to run it.</summary>
public sealed class ProcessNodeSpec
{
    /// <summary>The Conferencing Node (silo) name it runs as.</summary>
    public string Name { get; set; } = "";

    /// <summary>The program, e.g. <c>dotnet</c>.</summary>
    public string FileName { get; set; } = "dotnet";

    /// <summary>
    /// Its arguments: the path of ConferenceCluster.Silo.dll, then its configuration as <c>--Key=value</c> items
    /// (<c>--Silo:Name=Burst01</c>, <c>--Silo:Location=…</c>, the cluster database, ports). A list rather than a map,
    /// because configuration keys contain ':' and could not be map keys in configuration themselves.
    /// </summary>
    public List<string> Arguments { get; set; } = [];
}

public sealed class ProcessProviderOptions
{
    public List<ProcessNodeSpec> Nodes { get; set; } = [];

    /// <summary>How long a stopped silo may drain after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The <c>command</c> provider runs each command with <c>/bin/sh -c</c>. <see cref="ListCommand"/> prints one instance a
/// line: <c>id name state address tag</c> (state stopped|starting|running|stopping, <c>-</c> for an empty field).
/// Start and stop get the instance in <c>CC_INSTANCE_ID</c> and <c>CC_INSTANCE_NAME</c>. Exit codes: 0 success,
/// 77 authentication failure, 78 not authorized for the instance, 79 not authorized for the region; any other is an error.
/// </summary>
public sealed class CommandProviderOptions
{
    public string ListCommand { get; set; } = "";
    public string StartCommand { get; set; } = "";
    public string StopCommand { get; set; } = "";
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Azure credentials (AZ:621–624) and endpoints; the endpoints are overridable for sovereign clouds and tests.</summary>
public sealed class AzureProviderOptions
{
    public string SubscriptionId { get; set; } = "";
    public string TenantId { get; set; } = "";
    /// <summary>The application (client) id; with <see cref="ClientSecret"/> it signs in by client credentials. Empty: managed identity.</summary>
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public string ResourceManagerEndpoint { get; set; } = "https://management.azure.com";
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com";
    /// <summary>The instance metadata endpoint for a managed identity token.</summary>
    public string ManagedIdentityEndpoint { get; set; } = "http://169.254.169.254/metadata/identity/oauth2/token";
    public string ApiVersion { get; set; } = "2024-07-01";
    /// <summary>Between polls of a start or deallocate operation.</summary>
    public TimeSpan OperationPollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>A start or deallocate not finished by then counts as failed.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
