using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Gateway.Admission;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Media.Video;
using ConferenceCluster.Gateway.Sip;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace ConferenceCluster.Gateway;

/// <summary>How a silo host adds the SIP gateway and the media node (after <c>AddConferencing</c>).</summary>
public static class GatewaySiloExtensions
{
    /// <summary>
    /// Registers the media node, its relays, backplane and video layout wiring, and the SIP gateway, which starts listening once the
    /// silo is active and its conferencing layer has started (it answers calls only when it can serve them).
    /// </summary>
    public static ISiloBuilder AddSipGateway(this ISiloBuilder builder, GatewayOptions options)
    {
        builder.Services
            .AddSingleton(options)
            .AddSingleton<ISpeakerDetector, MixerSpeakerSet>()
            .AddSingleton<MediaNode>()
            .AddSingleton<MediaRelays>()
            .Replace(ServiceDescriptor.Singleton<IBackplaneWiring, MediaNodeBackplaneWiring>())
            .Replace(ServiceDescriptor.Singleton<IVideoLayoutWiring, MediaNodeVideoLayoutWiring>())
            .AddSingleton<CallAdmission>()
            .AddSingleton<SipGateway>()
            .AddSingleton<ICallLegObserver>(sp => sp.GetRequiredService<SipGateway>());
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SipGatewayLifecycle>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MediaNodeLifecycle>();
        return builder;
    }

    /// <summary>
    /// The SIP gateway listens once the silo is active and its conferencing layer has started (so it answers calls only
    /// when it can serve them), and stops first when the silo stops, before the grains deactivate.
    /// </summary>
    private sealed class SipGatewayLifecycle(SipGateway gateway) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(SipGateway), ServiceLifecycleStage.Active + 1,
            _ =>
            {
                gateway.Start();
                return Task.CompletedTask;
            },
            async _ => await gateway.DisposeAsync().ConfigureAwait(false));
    }

    /// <summary>
    /// The media node stops with the silo, after its grains have deactivated (conferences close their backplanes through
    /// it on the way out): a node that has left the cluster sends nothing more to endpoints whose calls moved on to other
    /// nodes, whether its process exits next or not.
    /// </summary>
    private sealed class MediaNodeLifecycle(MediaNode media, MediaRelays relays) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(MediaNode), ServiceLifecycleStage.ApplicationServices,
            _ => Task.CompletedTask,
            async _ =>
            {
                await relays.DisposeAsync().ConfigureAwait(false);
                await media.DisposeAsync().ConfigureAwait(false);
            });
    }

    /// <summary>
    /// The demo rooms of the README's run command, created if missing before the silo joins (so a call right after the
    /// silo reports ready finds them): <c>demo</c> (no PIN) and <c>demo-pin</c> (Host PIN 1234, Guest PIN 5678).
    /// </summary>
    public static ISiloBuilder AddDemoConferences(this ISiloBuilder builder)
    {
        builder.Services.AddSingleton<IBeforeJoiningStep, DemoConferences>();
        return builder;
    }

    private sealed class DemoConferences(ConfigurationRepository repository) : IBeforeJoiningStep
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
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
        }
    }
}
