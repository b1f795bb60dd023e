using ConferenceCluster.Runtime.Activation;
using ConferenceCluster.Runtime.Hosting;

namespace ConferenceCluster.Runtime.Core;

/// <summary>Why an activation is going away.</summary>
public enum DeactivationReason
{
    /// <summary>No call arrived for longer than its collection age.</summary>
    Idle,
    /// <summary>The grain asked for it with <see cref="Grain.DeactivateOnIdle"/>.</summary>
    ApplicationRequested,
    /// <summary>Its silo is shutting down.</summary>
    SiloShuttingDown,
}

/// <summary>
/// Base class of grain implementations (Orleans' Grain). One message runs at a time per activation; timer
/// callbacks run as turns too. Constructor parameters are resolved from the silo's services.
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    internal IGrainContext Context
    {
        get => _context ?? throw new InvalidOperationException("This grain is not attached to an activation yet (do not use it in the constructor).");
        set => _context = value;
    }

    public GrainId GrainId => Context.GrainId;

    /// <summary>The activation's own id, distinct for every activation of the same grain.</summary>
    public Guid ActivationId => Context.ActivationId;

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    /// <summary>The silo this activation runs on.</summary>
    protected ILocalSiloDetails Silo => Context.Silo;

    public string GetPrimaryKeyString() => GrainId.Key;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs <paramref name="callback"/> as a turn of this activation after <paramref name="dueTime"/>, then every
    /// <paramref name="period"/> (Infinite: once). Ticks do not overlap and do not keep the activation alive.
    /// </summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);

    /// <summary>Deactivates this activation once the current turn ends.</summary>
    protected void DeactivateOnIdle() => Context.DeactivateOnIdle();

    /// <summary>Keeps the activation from idle collection for at least this long.</summary>
    protected void DelayDeactivation(TimeSpan timeSpan) => Context.DelayDeactivation(timeSpan);
}
