using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>The reference implementation passes the suite too, which keeps the suite honest.</summary>
public sealed class InMemoryClusterStoreTests : ClusterStoreConformanceTests
{
    protected override IClusterStore CreateStore(string clusterId) => new InMemoryClusterStore(clusterId);
}
