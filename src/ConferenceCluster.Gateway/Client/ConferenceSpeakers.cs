using System.Collections.Concurrent;
using ConferenceCluster.Gateway.Media;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Gateway.Client;

/// <summary>
/// Who is speaking in a conference, for the client API's <c>stage</c> events: the union of what each of its media nodes'
/// mixers takes as speaking (<see cref="IMediaNodeGrain.GetSpeaking"/>). Every event stream of a conference on this silo
/// asks; one answer serves them all for <see cref="FreshFor"/>, so the media nodes are asked once per conference, not
/// once per browser. A node that does not answer in <see cref="NodeTimeout"/> counts as nobody speaking there.
/// </summary>
public sealed class ConferenceSpeakers(IGrainFactory grains, TimeProvider time, ILogger<ConferenceSpeakers> logger)
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromMilliseconds(400);
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<IReadOnlySet<string>> Speaking)> _latest = new(StringComparer.Ordinal);

    public Task<IReadOnlySet<string>> SpeakingAsync(string conference, IReadOnlyCollection<string> mediaNodes)
    {
        var now = time.GetUtcNow();
        if (_latest.TryGetValue(conference, out var latest) && now - latest.At < FreshFor) return latest.Speaking;
        var asked = AskAsync(conference, mediaNodes);
        _latest[conference] = (now, asked);
        if (_latest.Count > PruneAbove)
        {
            // Conferences nobody here watches any more (or that ended) are not asked about again: forget them.
            foreach (var (name, entry) in _latest)
                if (now - entry.At > ForgetAfter) _latest.TryRemove(name, out _);
        }
        return asked;
    }

    private const int PruneAbove = 64;
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(1);

    private async Task<IReadOnlySet<string>> AskAsync(string conference, IReadOnlyCollection<string> mediaNodes)
    {
        var answers = await Task.WhenAll(mediaNodes.Select(async node =>
        {
            try
            {
                return await grains.GetGrain<IMediaNodeGrain>(node).GetSpeaking(conference).WaitAsync(NodeTimeout, time).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogDebug("Media node {Node} did not say who speaks in {Conference} ({Error})", node, conference, ex.Message);
                return (IReadOnlyList<string>)[];
            }
        })).ConfigureAwait(false);
        return answers.SelectMany(a => a).ToHashSet(StringComparer.Ordinal);
    }
}
