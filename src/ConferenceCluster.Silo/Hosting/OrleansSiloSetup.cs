using System.Net;
using System.Reflection;
using ConferenceCluster.Conferencing;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Gateway;
using ConferenceCluster.Gateway.Client;
using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Silo.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// The Orleans silo of a Conferencing Node, from the host's configuration: clustering, grain state, reminders and
/// streams for the configured <c>Cluster:Storage</c>, endpoints, membership and messaging timings, and the conferencing
/// and SIP gateway layers. Everything Orleans-specific about the host is here.
/// </summary>
internal static class OrleansSiloSetup
{
    /// <summary>The Npgsql provider's ADO.NET invariant name, as Orleans' ADO.NET providers expect it.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>Orleans' invariant for SQLite, served by Microsoft.Data.Sqlite (shared/spec/orleans.md §9).</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>Orleans' ServiceId (what grain state and reminders are keyed by): the cluster id, which keeps our documents too.</summary>
    public static string ServiceId(Configuration.ClusterOptions cluster) => cluster.Id;

    public static void Configure(ISiloBuilder silo, SiloHostConfiguration configuration, SiloEndpoints endpoints, LocalNode node,
        Conferencing.Operations.OperationsOptions operations, Action<ISiloBuilder>? configureSilo)
    {
        var cluster = configuration.Cluster;
        // In a Kubernetes pod, Orleans' hosting package labels the pod with its cluster (orleans/clusterId,
        // orleans/serviceId) and watches the cluster's pods, so a silo whose pod is gone is declared dead at once rather
        // than after missed probes (deploy/kubernetes/rbac.yaml grants what it needs). Added first: the Cluster:Id,
        // Silo:Name and Silo:AdvertisedAddress configured below win over the defaults it takes from POD_NAME and POD_IP.
        if (KubernetesPod.IsOrleansPod(Environment.GetEnvironmentVariable))
            silo.UseKubernetesHosting();
        silo.Configure<OrleansClusterOptions>(o =>
        {
            o.ClusterId = cluster.Id;
            o.ServiceId = ServiceId(cluster);
        });
        silo.Configure<SiloOptions>(o => o.SiloName = configuration.Silo.Name);
        ConfigureStorage(silo, cluster, endpoints);
        // Orleans' default directory deactivates every activation whose registration lived on a silo that died (its
        // partition is lost), so a SIGKILLed silo took the survivors' call legs (ParticipantGrain) and node ledgers with
        // it. The distributed directory recovers a dead silo's partitions from the survivors instead, and keeps single
        // activation strong (docs/decisions.md, "Grain directory: Orleans' distributed directory").
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10.4: the documented opt-in
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // After a crash the directory holds back new registrations in the dead silo's ranges for RangeLeaseDuration counted
        // from the estimated failure (declaration minus MaxProbeTimeout × NumMissedProbesLimit): 30 s by default, which kept
        // a conference whose grain was on the dead silo, and every new call hashed into its ranges, waiting about 20 s.
        // Ending the lease at the declaration brings them back as soon as the silo is voted dead, as Orleans' default
        // directory does; a silo voted dead while still running stops at its next table read (docs/decisions.md).
        silo.Services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<ClusterMembershipOptions>>((directory, membership) =>
            directory.RangeLeaseDuration = membership.Value.MaxProbeTimeout * membership.Value.NumMissedProbesLimit);
        silo.Configure<ClusterMembershipOptions>(o => cluster.Membership.ApplyTo(o, configuration.MembershipProbeTimeoutSet));
        silo.Configure<SiloMessagingOptions>(o =>
        {
            o.ResponseTimeout = cluster.Messaging.ResponseTimeout;
            o.SystemResponseTimeout = cluster.Messaging.ResponseTimeout;
            o.MaxForwardCount = cluster.Messaging.MaxForwardCount;
            o.MaxMessageBodySize = cluster.Messaging.MaxMessageBytes;
        });
        silo.Configure<ConnectionOptions>(o => o.OpenConnectionTimeout = cluster.Messaging.ConnectTimeout);
        // Grain state in Orleans' own binary format: version tolerant through the [Id]s of the state types.
        silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();

        silo.AddConferencing(node, conferencing => conferencing.MoveCallsOffFailedNodes = cluster.MoveCallsOffFailedNodes, operations);
        silo.AddSipGateway(new Gateway.GatewayOptions
        {
            SipPort = configuration.Silo.Ports.Sip,
            AdvertisedAddress = configuration.Silo.AdvertisedAddress,
            MediaPortRange = configuration.Silo.Ports.MediaRange,
        });
        silo.AddClientCalls();
        if (configuration.Demo.Enabled)
            silo.AddDemoConferences();
        foreach (var path in configuration.Silo.GrainAssemblies)
        {
            var assembly = Assembly.LoadFrom(Path.GetFullPath(path));
            silo.Services.AddSerializer(serializer => serializer.AddAssembly(assembly));
        }
        configureSilo?.Invoke(silo);
    }

    private static void ConfigureStorage(ISiloBuilder silo, Configuration.ClusterOptions cluster, SiloEndpoints endpoints)
    {
        switch (cluster.Storage)
        {
            case ClusterStorageKind.Postgres:
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = endpoints.AdvertisedIPAddress;
                    o.SiloPort = endpoints.SiloPort;
                    o.GatewayPort = endpoints.GatewayPort;
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, endpoints.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, endpoints.GatewayPort);
                });
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = cluster.ConnectionString;
                });
                silo.AddAdoNetGrainStorage(ConferencingStorage.Grains, o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = cluster.ConnectionString;
                });
                silo.AddAdoNetGrainStorage(ConferencingStorage.PubSub, o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = cluster.ConnectionString;
                });
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = cluster.ConnectionString;
                });
                break;
            case ClusterStorageKind.Sqlite:
                // The embedded single silo: Orleans' localhost clustering (it is its own primary), grain state in the
                // SQLite file through Orleans' ADO.NET storage. Orleans has no SQLite reminder table: reminders live in
                // memory, which loses nothing a single silo could keep (its calls end with it).
                silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: cluster.Id, clusterId: cluster.Id);
                var sqlite = ClusterDocumentStores.SqliteConnectionString(cluster.ConnectionString);
                silo.AddAdoNetGrainStorage(ConferencingStorage.Grains, o =>
                {
                    o.Invariant = SqliteInvariant;
                    o.ConnectionString = sqlite;
                });
                silo.AddMemoryGrainStorage(ConferencingStorage.PubSub);
                silo.UseInMemoryReminderService();
                break;
            default:
                silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: cluster.Id, clusterId: cluster.Id);
                silo.AddMemoryGrainStorage(ConferencingStorage.Grains);
                silo.AddMemoryGrainStorage(ConferencingStorage.PubSub);
                silo.UseInMemoryReminderService();
                break;
        }
    }
}

/// <summary>Where this silo listens and how others reach it; ports configured as 0 are chosen once, at start.</summary>
internal sealed record SiloEndpoints(IPAddress AdvertisedIPAddress, int SiloPort, int GatewayPort, int HttpPort, int? HttpsPort = null)
{
    public static SiloEndpoints Resolve(SiloHostOptions silo) => new(
        ResolveAddress(silo.AdvertisedAddress),
        FreePorts.Resolve(silo.Ports.Silo),
        FreePorts.Resolve(silo.Ports.Gateway),
        FreePorts.Resolve(silo.Ports.Http),
        silo.Ports.Https is { } https ? FreePorts.Resolve(https) : null);

    private static IPAddress ResolveAddress(string address) =>
        IPAddress.TryParse(address, out var ip)
            ? ip
            : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"Silo:AdvertisedAddress '{address}' resolves to no IPv4 address");
}
