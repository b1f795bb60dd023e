using System.Collections.Concurrent;
using ConferenceCluster.Media.Video.Mixing;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Video.Workers;

/// <summary>
/// A node's video engine, beside its audio <see cref="MediaEngine"/> (whose RTP port range and media address it
/// shares): its <see cref="VideoWorker"/>s and the <see cref="VideoConference"/>s on them, one per conference hosted
/// here, each pinned to the least loaded worker for its life.
/// </summary>
public sealed class VideoEngine : IAsyncDisposable
{
    private readonly VideoWorker[] _workers;
    private readonly ConcurrentDictionary<VideoConference, byte> _conferences = new();
    private int _disposed;

    public VideoEngine(MediaEngine media, VideoOptions? options = null)
        : this(media, options, startWorkers: true)
    {
    }

    /// <param name="startWorkers">False for the CPU benchmark, which runs the workers' frames itself on one thread (<see cref="VideoWorker.RunManually"/>).</param>
    internal VideoEngine(MediaEngine media, VideoOptions? options, bool startWorkers)
    {
        Media = media ?? throw new ArgumentNullException(nameof(media));
        Options = options ?? new VideoOptions();
        Options.Validate();
        _workers = new VideoWorker[Options.WorkerCount];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new VideoWorker(i, Options, media.Options.BindAddress);
        }

        if (startWorkers)
        {
            foreach (VideoWorker worker in _workers)
            {
                worker.Start();
            }
        }
    }

    /// <summary>The audio engine whose ports and address the video legs use.</summary>
    public MediaEngine Media { get; }

    public VideoOptions Options { get; }

    public IReadOnlyList<VideoWorker> Workers => _workers;

    public int ConferenceCount => _conferences.Count;

    /// <summary>Starts a conference's video on the worker with the fewest legs (then conferences).</summary>
    /// <param name="layout">The conference's layout rules (the hosting node adapts ConferenceCluster.Conferencing's layouts).</param>
    public Task<VideoConference> CreateConferenceAsync(string conferenceId, IVideoLayoutPolicy layout, VideoConferenceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(conferenceId);
        ArgumentNullException.ThrowIfNull(layout);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        VideoWorker worker = _workers.MinBy(w => ((long)w.LegCount << 20) + w.ConferenceCount)!;
        var conference = new VideoConference(this, worker, conferenceId, options ?? new VideoConferenceOptions(), layout);
        _conferences.TryAdd(conference, 0);
        return worker.AttachAsync(conference);
    }

    internal void Forget(VideoConference conference) => _conferences.TryRemove(conference, out _);

    public IReadOnlyList<VideoWorkerStatistics> GetWorkerStatistics() => _workers.Select(w => w.GetStatistics()).ToArray();

    /// <summary>Closes every conference's video (legs say BYE, ports are released), then stops the workers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (VideoConference conference in _conferences.Keys)
        {
            await conference.DisposeAsync().ConfigureAwait(false);
        }

        foreach (VideoWorker worker in _workers)
        {
            worker.Dispose();
        }
    }
}
