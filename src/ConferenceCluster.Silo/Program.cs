using ConferenceCluster.Silo;
using ConferenceCluster.Silo.Configuration;
using ConferenceCluster.Storage.Schema;

// `--migrate`: apply the cluster database's schema (Orleans' tables and ours) for this configuration and exit, the
// step a deployment runs before its silos (Kubernetes init container, compose one-shot). Silos also apply it at start.
var migrate = args.Contains("--migrate", StringComparer.Ordinal);
args = args.Where(a => a != "--migrate").ToArray();

SiloHost host;
try
{
    host = SiloHost.Create(args);
}
catch (SiloConfigurationException ex)
{
    // No logger exists before the configuration is valid; stderr is where an operator looks.
    Console.Error.WriteLine(ex.Message);
    return SiloHost.ExitConfigurationError;
}

if (migrate)
{
    var cluster = host.Configuration.Cluster;
    return await SchemaCommand.RunAsync(cluster.Storage, cluster.ConnectionString, Console.Out, Console.Error, CancellationToken.None);
}

await using (host)
    return await host.RunAsync();
