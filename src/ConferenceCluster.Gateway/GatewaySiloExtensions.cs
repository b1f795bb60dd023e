using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Sip;
using ConferenceCluster.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConferenceCluster.Gateway;

/// <summary>How a silo host adds the SIP gateway and the media node (after <c>AddConferencing</c>).</summary>
public static class GatewaySiloExtensions
{
    public static SiloBuilder AddSipGateway(this SiloBuilder builder, GatewayOptions options) =>
        builder
            .AddGrainsFromAssembly(typeof(SipGateway).Assembly)
            .ConfigureServices(services => services
                .AddSingleton(options)
                .AddSingleton<MediaNode>()
                .AddSingleton<MediaRelays>()
                .Replace(ServiceDescriptor.Singleton<IBackplaneWiring, MediaNodeBackplaneWiring>())
                .AddSingleton<SipGateway>()
                .AddSingleton<ICallLegObserver>(sp => sp.GetRequiredService<SipGateway>()))
            .AddStartupTask((silo, _) =>
            {
                silo.Services.GetRequiredService<SipGateway>().Start();
                return Task.CompletedTask;
            });

    /// <summary>
    /// The demo rooms of the README's run command, created if missing: <c>demo</c> (no PIN) and <c>demo-pin</c>
    /// (Host PIN 1234, Guest PIN 5678).
    /// </summary>
    public static SiloBuilder AddDemoConferences(this SiloBuilder builder) =>
        builder.AddStartupTask(async (silo, cancellationToken) =>
        {
            var repository = silo.Services.GetRequiredService<ConfigurationRepository>();
            if (await repository.GetConferenceAsync("demo", cancellationToken).ConfigureAwait(false) is null)
                await repository.CreateConferenceAsync(new VirtualMeetingRoom("demo") { Aliases = [new ServiceAlias("demo")] }, cancellationToken).ConfigureAwait(false);
            if (await repository.GetConferenceAsync("demo-pin", cancellationToken).ConfigureAwait(false) is null)
                await repository.CreateConferenceAsync(new VirtualMeetingRoom("demo-pin")
                {
                    Aliases = [new ServiceAlias("demo-pin")],
                    HostPin = "1234",
                    AllowGuests = true,
                    GuestPin = "5678",
                }, cancellationToken).ConfigureAwait(false);
            await silo.Services.GetRequiredService<ConfigurationView>().RefreshAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        });
}
