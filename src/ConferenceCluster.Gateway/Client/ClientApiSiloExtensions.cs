using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace ConferenceCluster.Gateway.Client;

/// <summary>How a silo host adds the client API's participants (after <c>AddSipGateway</c>: they share its media node and door).</summary>
public static class ClientApiSiloExtensions
{
    public static ISiloBuilder AddClientCalls(this ISiloBuilder builder)
    {
        builder.Services
            .AddSingleton<ClientTokenKey>()
            .AddSingleton<IBeforeJoiningStep>(sp => sp.GetRequiredService<ClientTokenKey>())
            .AddSingleton<ClientTokens>()
            .AddSingleton<ConferenceSpeakers>()
            .AddSingleton<ClientCalls>()
            .AddSingleton<ICallLegObserver>(sp => sp.GetRequiredService<ClientCalls>());
        return builder;
    }
}
