using System.Collections.Concurrent;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Runtime.Tests;

public sealed record ActivationInfo(string SiloName, Guid ActivationId, int Calls);

/// <summary>Counts activations per grain id across all silos of the process, to catch duplicates.</summary>
public static class ActivationLedger
{
    private static readonly ConcurrentDictionary<string, int> Activations = new();
    private static readonly ConcurrentDictionary<string, int> Live = new();
    private static readonly ConcurrentDictionary<string, int> MaxLive = new();

    public static void Activated(GrainId id)
    {
        Activations.AddOrUpdate(id.ToString(), 1, (_, n) => n + 1);
        var live = Live.AddOrUpdate(id.ToString(), 1, (_, n) => n + 1);
        MaxLive.AddOrUpdate(id.ToString(), live, (_, n) => Math.Max(n, live));
    }

    public static void Deactivated(GrainId id) => Live.AddOrUpdate(id.ToString(), 0, (_, n) => n - 1);

    public static int ActivationsOf(GrainId id) => Activations.GetValueOrDefault(id.ToString());

    public static int MaxConcurrentActivationsOf(GrainId id) => MaxLive.GetValueOrDefault(id.ToString());
}

public interface ISingletonGrain : IGrainWithStringKey
{
    Task<ActivationInfo> Touch();
    Task<string> WhereAmI();
}

/// <summary>Placed by hash over the silos, so concurrent first calls from every silo race for the same key.</summary>
[HashBasedPlacement]
public sealed class SingletonGrain : Grain, ISingletonGrain
{
    private int _calls;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ActivationLedger.Activated(GrainId);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ActivationLedger.Deactivated(GrainId);
        return Task.CompletedTask;
    }

    public Task<ActivationInfo> Touch() => Task.FromResult(new ActivationInfo(Silo.Name, ActivationId, ++_calls));

    public Task<string> WhereAmI() => Task.FromResult(Silo.Name);
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task Increment();
    Task<int> Get();
    [OneWay]
    Task IncrementOneWay();
}

/// <summary>Awaits between read and write: only turn-based execution keeps the count exact.</summary>
public sealed class CounterGrain : Grain, ICounterGrain
{
    private int _value;

    public async Task Increment()
    {
        var read = _value;
        await Task.Yield();
        await Task.Delay(TimeSpan.FromTicks(1));
        _value = read + 1;
    }

    public Task<int> Get() => Task.FromResult(_value);

    public Task IncrementOneWay() => Increment();
}

public sealed record Payload(string Text, int[] Numbers, Dictionary<string, double> Map);

public interface IEchoGrain : IGrainWithStringKey
{
    Task<Payload> Echo(Payload payload);
    ValueTask<int> Add(int a, int b);
    ValueTask Nothing();
    Task Throw(string message);
    Task Hang();
    Task<string> CallOther(string key);
    Task<string> WhereAmI();
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<Payload> Echo(Payload payload) => Task.FromResult(payload);

    public ValueTask<int> Add(int a, int b) => ValueTask.FromResult(a + b);

    public ValueTask Nothing() => ValueTask.CompletedTask;

    public Task Throw(string message) => throw new ArgumentOutOfRangeException(nameof(message), message);

    public Task Hang() => Task.Delay(Timeout.Infinite);

    public Task<string> CallOther(string key) => GrainFactory.GetGrain<ISingletonGrain>(key).WhereAmI();

    public Task<string> WhereAmI() => Task.FromResult(Silo.Name);
}

public interface IPinnedGrain : IGrainWithStringKey
{
    Task<string> SiloName();
}

[SiloPinnedPlacement]
public sealed class PinnedGrain : Grain, IPinnedGrain
{
    public Task<string> SiloName() => Task.FromResult(Silo.Name);
}

public interface ILifecycleGrain : IGrainWithStringKey
{
    Task<Guid> Id();
    Task StartTicking();
    Task<int> Ticks();
    Task Leave();
}

[CollectionAgeLimit(Seconds = 1)]
public sealed class LifecycleGrain : Grain, ILifecycleGrain
{
    public static readonly ConcurrentBag<Guid> Deactivations = [];
    private int _ticks;

    public Task<Guid> Id() => Task.FromResult(ActivationId);

    public Task StartTicking()
    {
        RegisterTimer(_ =>
        {
            _ticks++;
            return Task.CompletedTask;
        }, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20));
        DelayDeactivation(TimeSpan.FromSeconds(30));
        return Task.CompletedTask;
    }

    public Task<int> Ticks() => Task.FromResult(_ticks);

    public Task Leave()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Deactivations.Add(ActivationId);
        return Task.CompletedTask;
    }
}
