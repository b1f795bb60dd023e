using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Storage.Tests.Documents;

/// <summary>The reference implementation passes the suite too, which keeps the suite honest.</summary>
public sealed class InMemoryDocumentStoreTests : DocumentStoreConformanceTests
{
    // One instance is one database: a second cluster id gets a store of its own, which is how silos sharing memory see it.
    protected override IOwnedClusterDocumentStore CreateStore(string clusterId) => new InMemoryDocumentStore(clusterId);
}
