using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Hosting;

namespace ConferenceCluster.Runtime.Activation;

/// <summary>What a <see cref="Grain"/> sees of its activation.</summary>
internal interface IGrainContext
{
    GrainId GrainId { get; }
    Guid ActivationId { get; }
    IGrainFactory GrainFactory { get; }
    ILocalSiloDetails Silo { get; }
    IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period);
    void DeactivateOnIdle();
    void DelayDeactivation(TimeSpan timeSpan);
}
