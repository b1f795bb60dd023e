using System.Text.Json;
using System.Threading.Channels;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Client;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// <c>GET .../events</c>: one participant's server-sent events. The handler subscribes to the conference's Orleans
/// stream (so a browser signalled here sees participants signalled anywhere) and to the participant's own stream,
/// sends the roster, then every change, <c>stage</c> when who speaks changes, and ends with <c>disconnect</c> when the
/// participant is gone. The subscriptions end with the request (the client went, or the silo stops).
/// </summary>
internal static class ClientEventStream
{
    /// <summary>How often who speaks is asked (and the stream's other housekeeping runs).</summary>
    public static readonly TimeSpan StageInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>A comment this often keeps proxies from closing a quiet stream, and finds a client that went away.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>Events queued for a client that does not read them; beyond this the stream ends and the client reconnects (and resyncs).</summary>
    private const int MaxQueued = 1024;

    public static async Task RunAsync(HttpContext http, ClientCaller caller, IClusterClient client, IGrainFactory grains, ConferenceSpeakers speakers,
        ClusterNodes nodes, JsonSerializerOptions json, TimeProvider time, ILogger logger)
    {
        var conference = caller.Token.Conference;
        var me = caller.Token.ParticipantId;
        var translator = new ClientEventTranslator(conference, me);
        var queue = Channel.CreateBounded<object>(new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
        var overflowed = false;
        Task Enqueue(object item)
        {
            if (!queue.Writer.TryWrite(item)) overflowed = true;
            return Task.CompletedTask;
        }
        var provider = client.GetStreamProvider(ConferenceEventStreams.Provider);
        // Subscribed before the roster is read: nothing that happens in between is missed (the translator folds duplicates).
        var conferenceSubscription = await provider.GetStream<ConferenceEvent>(StreamId.Create(ConferenceEventStreams.Namespace, conference))
            .SubscribeAsync((e, _) => Enqueue(e));
        StreamSubscriptionHandle<ClientParticipantEvent>? participantSubscription = null;
        try
        {
            participantSubscription = await provider.GetStream<ClientParticipantEvent>(StreamId.Create(ClientParticipantEventStreams.Namespace, me))
                .SubscribeAsync((e, _) => Enqueue(e));
            var response = http.Response;
            response.ContentType = ServerSentEvents.ContentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no"; // nginx and friends: do not buffer a stream
            var aborted = http.RequestAborted;

            var status = await grains.GetGrain<IConferenceGrain>(conference).GetStatus();
            await WriteAsync(response, translator.Sync(status), json, aborted);

            var nextKeepAlive = time.GetUtcNow() + KeepAliveInterval;
            while (!aborted.IsCancellationRequested && !translator.Ended)
            {
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(aborted))
                {
                    tick.CancelAfter(StageInterval);
                    try
                    {
                        await queue.Reader.WaitToReadAsync(tick.Token);
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        // the interval passed with nothing to send
                    }
                }
                var events = new List<ClientEvent>();
                while (queue.Reader.TryRead(out var item))
                {
                    events.AddRange(item switch
                    {
                        ConferenceEvent e => translator.On(e),
                        ClientParticipantEvent e => translator.On(e),
                        _ => [],
                    });
                }
                if (overflowed)
                {
                    logger.LogInformation("Event stream of {Participant} fell {Max} events behind: ended so the client resyncs", me, MaxQueued);
                    break;
                }
                if (!translator.Ended && !nodes.IsActive(caller.Token.SignalingNode))
                    events.Add(translator.SignalingNodeFailed(caller.Token.SignalingNode));
                if (!translator.Ended && translator.Count > 0
                    && translator.Stage(await speakers.SpeakingAsync(conference, translator.MediaNodes)) is { } stage)
                    events.Add(stage);
                if (events.Count > 0)
                {
                    await WriteAsync(response, events, json, aborted);
                    nextKeepAlive = time.GetUtcNow() + KeepAliveInterval;
                }
                else if (time.GetUtcNow() >= nextKeepAlive)
                {
                    await response.WriteAsync(ServerSentEvents.Comment("keep-alive"), aborted);
                    await response.Body.FlushAsync(aborted);
                    nextKeepAlive = time.GetUtcNow() + KeepAliveInterval;
                }
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        finally
        {
            await UnsubscribeAsync(conferenceSubscription, logger);
            if (participantSubscription is not null) await UnsubscribeAsync(participantSubscription, logger);
        }
    }

    private static async Task WriteAsync(HttpResponse response, IEnumerable<ClientEvent> events, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        foreach (var e in events)
            await response.WriteAsync(ServerSentEvents.Event(e.Name, JsonSerializer.Serialize(e.Data, json)), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static async Task UnsubscribeAsync<T>(StreamSubscriptionHandle<T> handle, ILogger logger)
    {
        try
        {
            await handle.UnsubscribeAsync();
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Unsubscribing an event stream failed (the silo is stopping?)");
        }
    }

    /// <summary>The host's JSON options for the HTTP APIs (snake_case), for event data.</summary>
    public static JsonSerializerOptions JsonOptions(IServiceProvider services) => services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
}
