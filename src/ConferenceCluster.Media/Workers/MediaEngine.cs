using System.Collections.Concurrent;
using ConferenceCluster.Media.Mixing;
using ConferenceCluster.Media.Transport;

namespace ConferenceCluster.Media.Workers;

/// <summary>
/// A node's media engine: its <see cref="MediaWorker"/>s (one per core by default) and the RTP port pool. The
/// call controller creates a <see cref="ConferenceMedia"/> per conference hosted here, whose mixer lives on the least
/// loaded worker (its home) and whose legs spread over the workers once it is large (<see cref="MediaOptions.ConferenceSpreadThreshold"/>).
/// </summary>
public sealed class MediaEngine : IAsyncDisposable
{
    private readonly MediaWorker[] _workers;
    private readonly ConcurrentDictionary<ConferenceMedia, byte> _conferences = new();
    private int _disposed;

    public MediaEngine(MediaOptions? options = null)
    {
        Options = options ?? new MediaOptions();
        Options.Validate();
        PortAllocator = new RtpPortAllocator(Options.PortRange);
        _workers = new MediaWorker[Options.WorkerCount];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new MediaWorker(i, Options);
        }

        foreach (MediaWorker worker in _workers)
        {
            worker.Start();
        }
    }

    public MediaOptions Options { get; }

    public RtpPortAllocator PortAllocator { get; }

    public IReadOnlyList<MediaWorker> Workers => _workers;

    /// <summary>Creates a conference's mixer on the worker with the fewest participants (then conferences).</summary>
    public Task<ConferenceMedia> CreateConferenceAsync(string conferenceId, ConferenceMixerOptions? mixerOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(conferenceId);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        MediaWorker worker = _workers.MinBy(w => ((long)w.ParticipantCount << 20) + w.ConferenceCount)!;
        return CreateConferenceAsync(conferenceId, worker, mixerOptions);
    }

    /// <summary>Creates a conference's mixer on a chosen worker.</summary>
    public Task<ConferenceMedia> CreateConferenceAsync(string conferenceId, MediaWorker worker, ConferenceMixerOptions? mixerOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(conferenceId);
        ArgumentNullException.ThrowIfNull(worker);
        if (!_workers.Contains(worker))
        {
            throw new ArgumentException("That worker belongs to another engine.", nameof(worker));
        }

        var conference = new ConferenceMedia(this, worker, conferenceId, mixerOptions ?? Options.Mixer);
        _conferences.TryAdd(conference, 0);
        return worker.AttachHomeAsync(conference);
    }

    /// <summary>Conferences currently open on this engine.</summary>
    public int ConferenceCount => _conferences.Count;

    internal void Forget(ConferenceMedia conference) => _conferences.TryRemove(conference, out _);

    public IReadOnlyList<MediaWorkerStatistics> GetWorkerStatistics() => _workers.Select(w => w.GetStatistics()).ToArray();

    /// <summary>Closes every conference still open (their legs say BYE and release their ports), then stops the workers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (ConferenceMedia conference in _conferences.Keys)
        {
            await conference.DisposeAsync().ConfigureAwait(false);
        }

        foreach (MediaWorker worker in _workers)
        {
            worker.Dispose();
        }
    }
}
