using System.Threading.Channels;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Hosting;
using ConferenceCluster.Runtime.Invocation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Activation;

internal enum ActivationState
{
    Activating,
    Valid,
    Deactivating,
    Invalid,
}

/// <summary>
/// One activation of a grain on this silo: its mailbox and the single loop that runs one turn at a time.
/// The first turn claims the grain in the directory (for directory-registered grains) before the grain
/// object even exists; a lost claim turns the activation into a forwarder to the winner.
/// </summary>
internal sealed class ActivationData : IGrainContext
{
    private readonly Channel<WorkItem> _mailbox = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Catalog _catalog;
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<GrainTimer> _timers = [];
    private readonly CancellationTokenSource _lifetime = new();
    private Grain? _grain;
    private GrainAddress? _registration;
    private bool _deactivateRequested;
    private long _keepAliveUntilTimestamp;
    private int _queued;

    public ActivationData(GrainId grainId, GrainClassMetadata grainClass, Catalog catalog)
    {
        GrainId = grainId;
        GrainClass = grainClass;
        _catalog = catalog;
        LastActivityTimestamp = catalog.Time.GetTimestamp();
    }

    public GrainId GrainId { get; }
    public Guid ActivationId { get; } = Guid.NewGuid();
    public GrainClassMetadata GrainClass { get; }
    public ActivationState State { get; private set; } = ActivationState.Activating;
    public long LastActivityTimestamp { get; private set; }
    public bool IsBusy { get; private set; }
    /// <summary>Calls and ticks waiting behind the current turn (the single-reader channel cannot count them itself).</summary>
    public int QueuedCount => Volatile.Read(ref _queued);
    /// <summary>Completes when the activation is gone; messages that found it closing wait for this and go again.</summary>
    public Task Deactivated => _deactivated.Task;
    public IGrainFactory GrainFactory => _catalog.GrainFactory;
    public ILocalSiloDetails Silo => _catalog.LocalSilo;

    public bool TryEnqueue(WorkItem item)
    {
        Interlocked.Increment(ref _queued);
        if (_mailbox.Writer.TryWrite(item))
            return true;
        Interlocked.Decrement(ref _queued);
        return false;
    }

    public void Start() => _ = Task.Run(RunAsync);

    public bool IsIdleLongerThan(TimeSpan age, long now) =>
        State == ActivationState.Valid && !IsBusy && QueuedCount == 0
        && now > Volatile.Read(ref _keepAliveUntilTimestamp)
        && _catalog.Time.GetElapsedTime(LastActivityTimestamp, now) > age;

    private async Task RunAsync()
    {
        if (!await ActivateAsync().ConfigureAwait(false))
            return;

        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                Interlocked.Decrement(ref _queued);
                switch (item)
                {
                    case InvokeWorkItem invoke:
                        await InvokeAsync(invoke).ConfigureAwait(false);
                        break;
                    case TimerWorkItem timer:
                        await RunTimerAsync(timer).ConfigureAwait(false);
                        break;
                    case DeactivateWorkItem deactivate:
                        await DeactivateAsync(deactivate.Reason).ConfigureAwait(false);
                        return;
                }
                if (_deactivateRequested)
                {
                    await DeactivateAsync(DeactivationReason.ApplicationRequested).ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    private async Task<bool> ActivateAsync()
    {
        try
        {
            if (GrainClass.UsesDirectory)
            {
                var mine = new GrainAddress(GrainId, _catalog.LocalSilo.SiloAddress, ActivationId);
                var winner = await _catalog.Locator.RegisterAsync(mine).ConfigureAwait(false);
                if (winner != mine)
                {
                    // Another silo holds this grain: this activation never runs; what queued here goes there.
                    Close();
                    ForwardQueued(winner);
                    return false;
                }
                _registration = mine;
            }

            _grain = (Grain)ActivatorUtilities.CreateInstance(_catalog.Services, GrainClass.Implementation);
            _grain.Context = this;
            await _grain.OnActivateAsync(_lifetime.Token).ConfigureAwait(false);
            State = ActivationState.Valid;
            return true;
        }
        catch (Exception ex)
        {
            _catalog.Logger.LogWarning(ex, "Activation of {Grain} failed", GrainId);
            Close();
            if (_registration is not null)
                await _catalog.Locator.UnregisterAsync(_registration).ConfigureAwait(false);
            while (_mailbox.Reader.TryRead(out var item))
                (item as InvokeWorkItem)?.Fail(ex);
            return false;
        }
    }

    private async Task InvokeAsync(InvokeWorkItem invoke)
    {
        LastActivityTimestamp = _catalog.Time.GetTimestamp();
        if (!GrainClass.TryGetInvoker(invoke.Method.WireName, out _, out var invoker))
        {
            invoke.Fail(new InvalidOperationException($"{GrainClass.Implementation.Name} has no method {invoke.Method.WireName}"));
            return;
        }
        IsBusy = true;
        try
        {
            var result = await invoker(_grain!, invoke.Arguments).ConfigureAwait(false);
            invoke.Completion?.TrySetResult(result);
        }
        catch (Exception ex)
        {
            if (invoke.Completion is null)
                _catalog.Logger.LogWarning(ex, "One-way call {Method} on {Grain} failed", invoke.Method.WireName, GrainId);
            invoke.Fail(ex);
        }
        finally
        {
            IsBusy = false;
        }
    }

    private async Task RunTimerAsync(TimerWorkItem item)
    {
        IsBusy = true;
        try
        {
            await item.Timer.RunTickAsync(_lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _catalog.Logger.LogWarning(ex, "Timer callback of {Grain} failed", GrainId);
        }
        finally
        {
            IsBusy = false;
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        State = ActivationState.Deactivating;
        _mailbox.Writer.TryComplete();
        lock (_timers)
        {
            foreach (var timer in _timers.ToList()) timer.Dispose();
        }
        try
        {
            using var timeout = new CancellationTokenSource(_catalog.CollectionOptions.DeactivationTimeout);
            await _grain!.OnDeactivateAsync(reason, timeout.Token).WaitAsync(_catalog.CollectionOptions.DeactivationTimeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _catalog.Logger.LogWarning(ex, "OnDeactivateAsync of {Grain} failed", GrainId);
        }
        // Unregister before leaving the catalog, so the next activation (here or elsewhere) can claim the grain.
        if (_registration is not null)
            await _catalog.Locator.UnregisterAsync(_registration).ConfigureAwait(false);
        _catalog.Remove(this);
        State = ActivationState.Invalid;
        _lifetime.Cancel();
        _deactivated.TrySetResult();
        // Calls that queued behind the deactivation are delivered again, to a new activation.
        while (_mailbox.Reader.TryRead(out var item))
        {
            if (item is InvokeWorkItem invoke)
                _catalog.Redeliver(GrainId, invoke);
        }
    }

    /// <summary>Stops taking work; used when the activation never became valid.</summary>
    private void Close()
    {
        State = ActivationState.Invalid;
        _mailbox.Writer.TryComplete();
        _catalog.Remove(this);
        _lifetime.Cancel();
        _deactivated.TrySetResult();
    }

    private void ForwardQueued(GrainAddress winner)
    {
        _catalog.Locator.Cache(winner);
        while (_mailbox.Reader.TryRead(out var item))
        {
            if (item is InvokeWorkItem invoke)
                _catalog.Forward(winner, invoke);
        }
    }

    public void RequestDeactivation(DeactivationReason reason) => TryEnqueue(new DeactivateWorkItem(reason));

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period, _catalog.Time);
        lock (_timers) _timers.Add(timer);
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_timers) _timers.Remove(timer);
    }

    public void DeactivateOnIdle() => _deactivateRequested = true;

    public void DelayDeactivation(TimeSpan timeSpan) =>
        Volatile.Write(ref _keepAliveUntilTimestamp, _catalog.Time.GetTimestamp() + (long)(timeSpan.TotalSeconds * _catalog.Time.TimestampFrequency));
}
