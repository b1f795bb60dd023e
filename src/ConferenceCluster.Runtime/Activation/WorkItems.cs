using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Invocation;

namespace ConferenceCluster.Runtime.Activation;

/// <summary>Something an activation does in one turn.</summary>
internal abstract class WorkItem;

/// <summary>A grain call waiting for its turn; <see cref="Completion"/> is null for one-way calls.</summary>
internal sealed class InvokeWorkItem(GrainId grainId, GrainMethod method, object?[] arguments, TaskCompletionSource<object?>? completion, int forwardCount) : WorkItem
{
    public GrainId GrainId { get; } = grainId;
    public GrainMethod Method { get; } = method;
    public object?[] Arguments { get; } = arguments;
    public TaskCompletionSource<object?>? Completion { get; } = completion;
    public int ForwardCount { get; } = forwardCount;

    public void Fail(Exception exception) => Completion?.TrySetException(exception);
}

internal sealed class TimerWorkItem(GrainTimer timer) : WorkItem
{
    public GrainTimer Timer { get; } = timer;
}

internal sealed class DeactivateWorkItem(DeactivationReason reason) : WorkItem
{
    public DeactivationReason Reason { get; } = reason;
}

/// <summary>A grain timer: ticks are queued as turns of their activation and never overlap.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private int _tickQueued;
    private bool _disposed;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period, TimeProvider time)
    {
        _activation = activation;
        _callback = callback;
        _timer = time.CreateTimer(static state => ((GrainTimer)state!).OnTick(), this, dueTime, period);
    }

    private void OnTick()
    {
        if (_disposed || Interlocked.Exchange(ref _tickQueued, 1) == 1) return;
        if (!_activation.TryEnqueue(new TimerWorkItem(this)))
            Volatile.Write(ref _tickQueued, 0);
    }

    public async Task RunTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_disposed) await _callback(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _tickQueued, 0);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }
}
