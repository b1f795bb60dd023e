using System.Collections.Concurrent;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Invocation;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Activation;

/// <summary>The activations living on this silo, and the way work reaches them (Orleans' Catalog).</summary>
internal sealed class Catalog
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly Lock _creationGate = new();

    public Catalog(
        ILocalSiloDetails localSilo,
        GrainLocator locator,
        IServiceProvider services,
        GrainCollectionOptions collectionOptions,
        TimeProvider time,
        ILogger logger)
    {
        LocalSilo = localSilo;
        Locator = locator;
        Services = services;
        CollectionOptions = collectionOptions;
        Time = time;
        Logger = logger;
    }

    public ILocalSiloDetails LocalSilo { get; }
    public GrainLocator Locator { get; }
    public IServiceProvider Services { get; }
    public GrainCollectionOptions CollectionOptions { get; }
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public IGrainFactory GrainFactory { get; set; } = null!;
    /// <summary>Sends calls on to another silo (set by the dispatcher, which owns the routing).</summary>
    public Action<GrainAddress, InvokeWorkItem> Forward { get; set; } = null!;
    /// <summary>Routes a call again from scratch (after the activation it queued on went away).</summary>
    public Action<GrainId, InvokeWorkItem> Redeliver { get; set; } = null!;

    public int Count => _activations.Count;

    public bool HasValidActivation(GrainId grainId) => TryGetValid(grainId, out _);

    public bool TryGetValid(GrainId grainId, out ActivationData activation) =>
        _activations.TryGetValue(grainId, out activation!) && activation.State == ActivationState.Valid;

    /// <summary>Queues a call on the local activation of the grain, creating the activation if there is none.</summary>
    public void Deliver(GrainId grainId, GrainClassMetadata grainClass, InvokeWorkItem item)
    {
        var activation = GetOrCreate(grainId, grainClass);
        if (activation.TryEnqueue(item))
            return;
        // It is closing: once it is gone, deliver again (a fresh activation, or a forward to the winner).
        activation.Deactivated.ContinueWith(_ => Redeliver(grainId, item), TaskScheduler.Default);
    }

    private ActivationData GetOrCreate(GrainId grainId, GrainClassMetadata grainClass)
    {
        if (_activations.TryGetValue(grainId, out var existing))
            return existing;
        lock (_creationGate)
        {
            if (_activations.TryGetValue(grainId, out existing))
                return existing;
            var activation = new ActivationData(grainId, grainClass, this);
            _activations[grainId] = activation;
            activation.Start();
            return activation;
        }
    }

    public void Remove(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

    public IReadOnlyList<ActivationData> Snapshot() => _activations.Values.ToList();

    /// <summary>Asks every idle activation older than its collection age to deactivate.</summary>
    public int CollectIdle()
    {
        var now = Time.GetTimestamp();
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            var age = activation.GrainClass.CollectionAge;
            if (age == TimeSpan.Zero) age = CollectionOptions.CollectionAge;
            if (age is { } limit && activation.IsIdleLongerThan(limit, now))
            {
                activation.RequestDeactivation(DeactivationReason.Idle);
                collected++;
            }
        }
        return collected;
    }

    /// <summary>Deactivates everything (graceful silo shutdown), waiting up to the deactivation timeout.</summary>
    public async Task DeactivateAllAsync()
    {
        var activations = _activations.Values.ToList();
        foreach (var activation in activations)
            activation.RequestDeactivation(DeactivationReason.SiloShuttingDown);
        await Task.WhenAll(activations.Select(a => a.Deactivated))
            .WaitAsync(CollectionOptions.DeactivationTimeout + TimeSpan.FromSeconds(5))
            .ConfigureAwait(false);
    }
}
