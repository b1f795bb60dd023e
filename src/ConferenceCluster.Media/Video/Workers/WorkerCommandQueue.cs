using System.Collections.Concurrent;

namespace ConferenceCluster.Media.Video.Workers;

/// <summary>
/// Work handed to a worker thread from outside (the call controller's changes), run on that thread between frames, its
/// result or exception returned through a task whose continuations run off the worker.
/// </summary>
internal sealed class WorkerCommandQueue(string owner)
{
    private readonly ConcurrentQueue<Action> _commands = new();
    private volatile bool _stopped;

    public Task<T> Invoke<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopped)
        {
            completion.SetException(new ObjectDisposedException(owner));
            return completion.Task;
        }

        _commands.Enqueue(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception exception)
            {
                completion.SetException(exception);
            }
        });
        return completion.Task;
    }

    /// <summary>No new work is accepted; what is queued still runs (and fails nothing silently).</summary>
    public void Stop() => _stopped = true;

    /// <summary>Runs everything queued (worker thread).</summary>
    public void RunAll()
    {
        while (_commands.TryDequeue(out Action? command))
        {
            command();
        }
    }
}
