using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Storage.Documents;
using Orleans.Runtime;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// The Orleans silo this process hosts, as the HTTP endpoints see it. With the HTTP server started next to the silo,
/// requests can arrive while it is still joining (health then says so, the APIs answer 503).
/// </summary>
public sealed class LocalSilo(RunningSilo silo)
{
    public RunningSilo Current => silo;

    public SiloStatus Status => silo.Status;

    private volatile bool _draining;

    /// <summary>True once the host drains before stopping (SIGTERM): no new calls.</summary>
    public bool Draining
    {
        get => _draining;
        internal set => _draining = value;
    }
}

/// <summary>
/// One incarnation of this node's Orleans silo: its name, its status in the cluster, whether it can serve calls yet,
/// and the services the HTTP endpoints use (grain factory, cluster database, membership).
/// </summary>
public sealed class RunningSilo(
    IServiceProvider services, ILocalSiloDetails details, ISiloStatusOracle statusOracle, IClusterMembershipService membership,
    ConferencingReadiness readiness, IClusterDocumentStore documents)
{
    public string Name => details.Name;

    public string ClusterId => details.ClusterId;

    public SiloAddress Address => details.SiloAddress;

    /// <summary>This silo's own status in the cluster: Created, Joining, Active, ShuttingDown, Stopping, Dead.</summary>
    public SiloStatus Status => statusOracle.CurrentStatus;

    /// <summary>Active and the conferencing layer started: it can serve a call (readiness).</summary>
    public bool IsReady => Status == SiloStatus.Active && readiness.IsReady;

    public IServiceProvider Services => services;

    public IGrainFactory GrainFactory => services.GetRequiredService<IGrainFactory>();

    public IClusterDocumentStore Documents => documents;

    public ClusterMembershipSnapshot Membership => membership.CurrentSnapshot;
}
