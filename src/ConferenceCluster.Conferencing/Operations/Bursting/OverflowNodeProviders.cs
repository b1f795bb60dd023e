using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>Makes the provider <see cref="BurstingOptions.Provider"/> names.</summary>
public static class OverflowNodeProviders
{
    public static IOverflowNodeProvider Create(BurstingOptions options, TimeProvider time, ILoggerFactory loggers) => options.Provider switch
    {
        OverflowProviderKind.Process => new ProcessNodeProvider(options.Process, options.TagValue, time, loggers.CreateLogger<ProcessNodeProvider>()),
        OverflowProviderKind.Command => new CommandNodeProvider(options.Command, time),
        OverflowProviderKind.Azure => new AzureNodeProvider(options.Azure, new HttpClient(), time),
        _ => new NoOverflowNodeProvider(),
    };
}

/// <summary>Bursting without a provider: no instances, so nothing can start; status and alarms still work.</summary>
public sealed class NoOverflowNodeProvider : IOverflowNodeProvider
{
    public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<CloudInstance>>([]);

    public Task StartAsync(CloudInstance instance, CancellationToken cancellationToken) =>
        throw new BurstingProviderException(BurstingFailureKind.Other, "no overflow node provider is configured (Operations:Bursting:Provider)");

    public Task StopAsync(CloudInstance instance, CancellationToken cancellationToken) =>
        throw new BurstingProviderException(BurstingFailureKind.Other, "no overflow node provider is configured (Operations:Bursting:Provider)");
}
