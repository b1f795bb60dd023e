using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace ConferenceCluster.Silo.Tests;

public class ConfigurationTests
{
    private static SiloHostConfiguration Load(params (string Key, string Value)[] values) =>
        SiloHostConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    private static SiloConfigurationException LoadFails(params (string Key, string Value)[] values) =>
        Assert.Throws<SiloConfigurationException>(() => Load(values));

    [Fact]
    public void No_configuration_at_all_gives_the_documented_defaults()
    {
        var config = Load();

        Assert.Equal("conference-cluster", config.Cluster.Id);
        Assert.Equal(ClusterStorageKind.Sqlite, config.Cluster.Storage);
        Assert.Null(config.Cluster.ConnectionString);
        Assert.True(config.Cluster.MoveCallsOffFailedNodes);
        Assert.Equal(Environment.MachineName, config.Silo.Name);
        Assert.Equal("default", config.Silo.Location);
        Assert.Equal(SiloRole.Transcoding, config.Silo.Role);
        Assert.Equal("127.0.0.1", config.Silo.AdvertisedAddress);
        Assert.Equal((11111, 30000, 8080), (config.Silo.Ports.Silo, config.Silo.Ports.Gateway, config.Silo.Ports.Http));
        Assert.Empty(config.Silo.GrainAssemblies);
        Assert.Equal("admin", config.Admin.Username);
        Assert.Null(config.Admin.Password);
    }

    [Fact]
    public void Every_key_binds()
    {
        var assembly = typeof(ConfigurationTests).Assembly.Location;
        var config = Load(
            ("Cluster:Id", "prod-eu"), ("Cluster:Storage", "postgres"), ("Cluster:ConnectionString", "Host=db;Database=cc"),
            ("Cluster:MoveCallsOffFailedNodes", "false"),
            ("Silo:Name", "node-1"), ("Silo:Location", "London"), ("Silo:Role", "proxying"), ("Silo:AdvertisedAddress", "10.0.0.7"),
            ("Silo:Ports:Silo", "11112"), ("Silo:Ports:Gateway", "30001"), ("Silo:Ports:Http", "8081"),
            ("Silo:GrainAssemblies:0", assembly), ("Admin:Username", "ops"), ("Admin:Password", "s3cret"));

        Assert.Equal("prod-eu", config.Cluster.Id);
        Assert.Equal(ClusterStorageKind.Postgres, config.Cluster.Storage);
        Assert.Equal("Host=db;Database=cc", config.Cluster.ConnectionString);
        Assert.False(config.Cluster.MoveCallsOffFailedNodes);
        Assert.Equal("node-1", config.Silo.Name);
        Assert.Equal("London", config.Silo.Location);
        Assert.Equal(SiloRole.Proxying, config.Silo.Role);
        Assert.Equal("10.0.0.7", config.Silo.AdvertisedAddress);
        Assert.Equal((11112, 30001, 8081), (config.Silo.Ports.Silo, config.Silo.Ports.Gateway, config.Silo.Ports.Http));
        Assert.Equal([assembly], config.Silo.GrainAssemblies);
        Assert.Equal(("ops", "s3cret"), (config.Admin.Username, config.Admin.Password));
    }

    [Theory]
    [InlineData("Cluster:Storage", "mysql", "Cluster:Storage must be one of sqlite, postgres, memory")]
    [InlineData("Cluster:Storage", "1", "Cluster:Storage must be one of")]
    [InlineData("Silo:Role", "mixing", "Silo:Role must be one of transcoding, proxying")]
    [InlineData("Silo:Ports:Http", "70000", "Silo:Ports:Http must be a port number")]
    [InlineData("Silo:Ports:Silo", "-1", "Silo:Ports:Silo must be a port number")]
    [InlineData("Silo:Ports:Gateway", "thirty", "Silo:Ports:Gateway must be a port number")]
    [InlineData("Silo:Name", "node one", "Silo:Name must be")]
    [InlineData("Silo:Location", " ", "Silo:Location must not be empty")]
    [InlineData("Cluster:MoveCallsOffFailedNodes", "maybe", "Cluster:MoveCallsOffFailedNodes must be true or false")]
    [InlineData("Demo:Enabled", "yes", "Demo:Enabled must be true or false")]
    [InlineData("Silo:DrainTimeout", "-00:00:01", "Silo:DrainTimeout must not be negative")]
    [InlineData("Silo:AdvertisedAddress", "0.0.0.0", "Silo:AdvertisedAddress must be an address other silos can reach")]
    [InlineData("Silo:AdvertisedAddress", "not a host", "Silo:AdvertisedAddress must be an IP address or host name")]
    [InlineData("Cluster:Id", "", "Cluster:Id must be")]
    [InlineData("Admin:Username", "a:b", "Admin:Username must be")]
    [InlineData("Admin:Password", " ", "Admin:Password must not be blank")]
    [InlineData("Silo:GrainAssemblies:0", "/nowhere/Grains.dll", "Silo:GrainAssemblies:0 names no file")]
    [InlineData("Silo:Prots:Http", "8080", "Silo:Prots:Http is not a configuration key")]
    public void An_invalid_value_fails_with_a_message_naming_its_key(string key, string value, string expected)
    {
        var error = LoadFails((key, value));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Postgres_needs_a_connection_string()
    {
        var error = LoadFails(("Cluster:Storage", "postgres"));

        Assert.Contains("Cluster:ConnectionString is required when Cluster:Storage is postgres", error.Message);
    }

    [Fact]
    public void Two_listeners_on_one_port_fail_naming_both_keys()
    {
        var error = LoadFails(("Silo:Ports:Gateway", "8080"));

        Assert.Contains("Silo:Ports:Gateway and Silo:Ports:Http must differ", error.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = LoadFails(("Silo:Role", "mixing"), ("Cluster:Storage", "mysql"));

        Assert.Equal(2, error.Errors.Count);
    }

    [Fact]
    public async Task Host_reads_the_command_line()
    {
        await using var host = SiloHost.Create(["--Silo:Name=from-args", "--Silo:Ports:Http=8181", "--Cluster:Storage=memory", "--Cluster:MoveCallsOffFailedNodes=false"]);

        Assert.Equal("from-args", host.Configuration.Silo.Name);
        Assert.Equal(8181, host.Configuration.Silo.Ports.Http);
        Assert.Equal(ClusterStorageKind.Memory, host.Configuration.Cluster.Storage);
        Assert.False(host.Configuration.Cluster.MoveCallsOffFailedNodes);
    }

    [Fact]
    public async Task Host_reads_environment_variables_with_the_double_underscore_separator_and_the_command_line_wins()
    {
        Environment.SetEnvironmentVariable("Silo__Location", "Oslo");
        Environment.SetEnvironmentVariable("Silo__Name", "from-env");
        try
        {
            await using var host = SiloHost.Create(["--Silo:Name=from-args"]);

            Assert.Equal("Oslo", host.Configuration.Silo.Location);
            Assert.Equal("from-args", host.Configuration.Silo.Name);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Silo__Location", null);
            Environment.SetEnvironmentVariable("Silo__Name", null);
        }
    }

    [Fact]
    public void Host_refuses_an_invalid_configuration()
    {
        var error = Assert.Throws<SiloConfigurationException>(() => SiloHost.Create(["--Silo:Role=bad"]));

        Assert.Contains("Silo:Role", error.Message);
    }
}
