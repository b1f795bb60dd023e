using ConferenceCluster.Silo;
using ConferenceCluster.Silo.Configuration;

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

await using (host)
    return await host.RunAsync();
