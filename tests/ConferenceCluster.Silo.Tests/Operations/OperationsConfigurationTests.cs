using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace ConferenceCluster.Silo.Tests.Operations;

/// <summary>The <c>Operations</c> configuration section: values bind, and a bad one stops the host with an error naming its key.</summary>
public sealed class OperationsConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Binds_the_providers_and_tunables()
    {
        var options = OperationsConfiguration.Load(Config(
            ("Operations:EventSinks:MaximumBackoff", "00:05:00"),
            ("Operations:Bursting:Provider", "process"),
            ("Operations:Bursting:Process:Nodes:0:Name", "Burst01"),
            ("Operations:Bursting:Process:Nodes:0:Arguments:0", "ConferenceCluster.Silo.dll"),
            ("Operations:Bursting:Process:Nodes:0:Arguments:1", "--Silo:Name=Burst01")));
        Assert.Equal(TimeSpan.FromMinutes(5), options.EventSinks.MaximumBackoff);
        Assert.Equal(OverflowProviderKind.Process, options.Bursting.Provider);
        Assert.Equal(["ConferenceCluster.Silo.dll", "--Silo:Name=Burst01"], options.Bursting.Process.Nodes.Single().Arguments);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Bursting.TickInterval);
    }

    [Theory]
    [InlineData("Operations:Bursting:Provider", "gcp", "Operations:Bursting:Provider")]
    [InlineData("Operations:EventSinks:QueueLimit", "0", "Operations:EventSinks:QueueLimit")]
    [InlineData("Operations:EventSinks:InitialRetryDelay", "00:00:00", "Operations:EventSinks:InitialRetryDelay")]
    [InlineData("Operations:Bursting:Provider", "command", "Operations:Bursting:Command:ListCommand")]
    [InlineData("Operations:Bursting:Provider", "azure", "Operations:Bursting:Azure:SubscriptionId")]
    public void A_bad_value_names_its_key(string key, string value, string named)
    {
        var error = Assert.Throws<SiloConfigurationException>(() => OperationsConfiguration.Load(Config((key, value))));
        Assert.Contains(error.Errors, e => e.Contains(named, StringComparison.Ordinal));
    }
}
