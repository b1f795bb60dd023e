using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Cluster;
using Orleans.Placement;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// A system location's capacity, summed from its live nodes' ledgers on request (status pages, the bursting
/// controller). Holds no state of its own, so it may be collected and placed anywhere.
/// </summary>
[HashBasedPlacement]
public sealed class LocationGrain(ConfigurationView configuration, ClusterNodes clusterNodes) : Grain, ILocationGrain
{
    public async Task<LocationStatus> GetStatus()
    {
        var location = this.GetPrimaryKeyString();
        var nodes = clusterNodes.Live().Where(n => n.Node.SystemLocation == location).ToList();
        var reports = new List<NodeLoadReport>();
        foreach (var node in nodes)
        {
            try
            {
                reports.Add(await GrainFactory.GetGrain<INodeGrain>(node.Node.Name).GetStatus());
            }
            catch (Exception)
            {
                // It left (or stopped answering) between the membership read and the call: a status page shows the
                // nodes that answer rather than failing whole.
            }
        }
        var capacity = LocationCapacity.Of(location, reports.Select(r => r.ToNodeStatus()));
        var threshold = configuration.Current.Global.BurstingThresholdHdCalls;
        var bursting = capacity.AvailableHdCalls <= threshold ? BurstingThresholdState.ThresholdReached
            : capacity.AvailableHdCalls <= threshold + 2 ? BurstingThresholdState.ApproachingThreshold
            : BurstingThresholdState.BelowThreshold;
        return new LocationStatus(location, capacity, reports, bursting);
    }
}
