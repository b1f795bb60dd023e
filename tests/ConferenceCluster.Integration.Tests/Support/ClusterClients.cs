using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace ConferenceCluster.Integration.Tests;

/// <summary>An Orleans cluster client in the test process, as an application connects one; disposing stops it.</summary>
internal sealed class ClusterClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public IGrainFactory Grains => Client;

    /// <summary>Finds the gateways in Orleans' membership table (ADO.NET clustering on PostgreSQL).</summary>
    public static Task<ClusterClient> ConnectAsync(string clusterId, string connectionString) => StartAsync(clusterId, client =>
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        }));

    /// <summary>Talks to the cluster through exactly one silo's gateway.</summary>
    public static Task<ClusterClient> ConnectThroughAsync(string clusterId, int gatewayPort) =>
        StartAsync(clusterId, client => client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort)));

    private static async Task<ClusterClient> StartAsync(string clusterId, Action<IClientBuilder> clustering)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = clusterId; // the silo host's ServiceId is its Cluster:Id
                });
                clustering(client);
            })
            .ConfigureLogging(logging => logging.ClearProviders())
            .Build();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await host.StartAsync(bound.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ClusterClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // a client whose gateways are gone stops ungracefully
        }
        _host.Dispose();
    }
}
