using ConferenceCluster.Silo.Configuration;

namespace ConferenceCluster.Deploy.Tests;

public class KeysTests
{
    [Fact]
    public void The_silo_lists_its_keys() => Assert.Contains("Silo:Ports:Http", SiloHostConfiguration.Keys);
}
