using System.Collections.Concurrent;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Runtime.Streams;

/// <summary>
/// Cluster-wide publish/subscribe for events (roster changes, alarms, load reports): an event published on
/// any silo reaches the subscribers of its topic on every active silo, at most once. Handlers for the events of
/// one publishing silo are started in publication order while its connection to the subscriber's silo stays up;
/// a handler that awaits may overlap the next. Delivery is best effort: a silo that is down misses the events
/// sent meanwhile, so state that must not be lost goes through grains, not events.
/// </summary>
public interface IClusterEventBus
{
    Task PublishAsync<TEvent>(string topic, TEvent @event);

    /// <summary>Subscribes on this silo; dispose the result to stop.</summary>
    IDisposable Subscribe<TEvent>(string topic, Func<TEvent, Task> handler);
}

internal sealed class ClusterEventBus : IClusterEventBus
{
    private readonly ConcurrentDictionary<string, ImmutableSubscriberList> _subscribers = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public ClusterEventBus(ILogger logger) => _logger = logger;

    public MessageCenter MessageCenter { get; set; } = null!;
    public IClusterMembershipView Membership { get; set; } = null!;
    public SiloAddress LocalSilo { get; set; } = null!;

    public Task PublishAsync<TEvent>(string topic, TEvent @event)
    {
        var body = PayloadSerializer.Serialize(@event, typeof(TEvent));
        DeliverLocal(topic, body);
        foreach (var silo in Membership.Current.ActiveSilos.Select(e => e.SiloAddress).Where(a => a != LocalSilo))
            _ = MessageCenter.SendOneWayAsync(silo, new Message { Kind = MessageKind.Broadcast, Method = topic, Body = body });
        return Task.CompletedTask;
    }

    public IDisposable Subscribe<TEvent>(string topic, Func<TEvent, Task> handler)
    {
        var subscriber = new Subscriber(typeof(TEvent), o => handler((TEvent)o!));
        _subscribers.AddOrUpdate(topic, _ => new([subscriber]), (_, list) => new([.. list.Items, subscriber]));
        return new Unsubscriber(() => _subscribers.AddOrUpdate(topic, _ => new([]), (_, list) => new(list.Items.Where(s => s != subscriber).ToArray())));
    }

    public void DeliverLocal(string topic, ReadOnlyMemory<byte> body)
    {
        if (!_subscribers.TryGetValue(topic, out var list)) return;
        foreach (var subscriber in list.Items)
        {
            try
            {
                var @event = PayloadSerializer.Deserialize(body.Span, subscriber.EventType);
                _ = subscriber.Handler(@event).ContinueWith(
                    t => _logger.LogWarning(t.Exception, "Subscriber of {Topic} failed", topic),
                    TaskContinuationOptions.OnlyOnFaulted);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not deliver an event of {Topic}", topic);
            }
        }
    }

    private sealed record Subscriber(Type EventType, Func<object?, Task> Handler);

    private sealed record ImmutableSubscriberList(Subscriber[] Items);

    private sealed class Unsubscriber(Action action) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) action();
        }
    }
}
