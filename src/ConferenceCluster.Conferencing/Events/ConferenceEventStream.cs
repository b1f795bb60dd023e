using System.Threading.Channels;
using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Operations.Alarms;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace ConferenceCluster.Conferencing.Events;

/// <summary>
/// This silo's producer of conference events: the conference grains hand their events here (enqueue only, on their
/// turn), and one loop produces them, in order, onto each conference's Orleans stream (<see cref="ConferenceEventStreams"/>).
/// A conference lives on one silo at a time, so its events keep their order. It also keeps this silo's
/// <c>capacity_exhausted</c> alarm (L15414), which follows the same events.
/// </summary>
/// <remarks>
/// Memory streams are not durable (shared/spec/orleans.md §8): events queued on a silo that dies are lost with it,
/// as the calls on it are; state that must not be lost is the grains' persistent state, not events.
/// </remarks>
public sealed class ConferenceEventStream : IConferenceEvents, IAsyncDisposable
{
    /// <summary>Instance of this silo's capacity alarm: one per refusing node (the seed's alarms are per node, L15390).</summary>
    public const string CapacityAlarmInstance = "media";

    private readonly IClusterClient _client;
    private readonly AlarmRegistry _alarms;
    private readonly LocalNode _node;
    private readonly ConfigurationView _configuration;
    private readonly ConferencingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConferenceEventStream> _logger;
    private readonly Channel<ConferenceEvent> _queue = Channel.CreateUnbounded<ConferenceEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _producer;
    /// <summary>Set while this silo has raised the capacity alarm, so a connect costs no store read when none is up.</summary>
    private int _capacityAlarmUp;
    /// <summary>Raises and lowers run one after another, so a lower never overtakes the raise it follows.</summary>
    private Task _alarmWork = Task.CompletedTask;
    private readonly Lock _alarmGate = new();

    public ConferenceEventStream(IClusterClient client, AlarmRegistry alarms, LocalNode node, ConfigurationView configuration,
        ConferencingOptions options, TimeProvider time, ILogger<ConferenceEventStream> logger)
    {
        _client = client;
        _alarms = alarms;
        _node = node;
        _configuration = configuration;
        _options = options;
        _time = time;
        _logger = logger;
        _producer = Task.Run(ProduceAsync);
    }

    public void ConferenceStarted(ConferenceEventInfo conference) => Enqueue(new ConferenceStarted(conference, Now, _node.Name, Location));

    public void ConferenceUpdated(ConferenceEventInfo conference) => Enqueue(new ConferenceUpdated(conference, Now, _node.Name, Location));

    public void ConferenceEnded(ConferenceEventInfo conference, DateTimeOffset endTime, string reason) =>
        Enqueue(new ConferenceEnded(conference, reason, endTime, _node.Name, Location));

    public void ParticipantConnected(ParticipantEventInfo participant)
    {
        LowerCapacityAlarm();
        Enqueue(new ParticipantConnected(participant, Now, _node.Name, Location));
    }

    public void ParticipantUpdated(ParticipantEventInfo participant) => Enqueue(new ParticipantUpdated(participant, Now, _node.Name, Location));

    public void ParticipantDisconnected(ParticipantEventInfo participant, DateTimeOffset disconnectTime, string reason)
    {
        LowerCapacityAlarm();
        Enqueue(new ParticipantDisconnected(participant, reason, disconnectTime, _node.Name, Location));
    }

    public void CapacityExhausted(string conference, string signalingNode)
    {
        Interlocked.Exchange(ref _capacityAlarmUp, 1);
        InOrder(() => _alarms.RaiseAsync(AlarmCatalogue.CapacityExhausted, _node.Name, CapacityAlarmInstance,
            $"out of transcoding resource: a call to {conference} signalled on {signalingNode} was refused"));
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>This node's system location: its configured record, else its own metadata.</summary>
    private string Location =>
        _configuration.Current.Nodes.TryGetValue(_node.Name, out var record) ? record.Node.SystemLocation : _node.Describe(_options).SystemLocation;

    private void Enqueue(ConferenceEvent @event)
    {
        if (!_queue.Writer.TryWrite(@event))
            _logger.LogDebug("{Event} of {Conference} produced after the silo stopped", @event.GetType().Name, @event.Conference);
    }

    private async Task ProduceAsync()
    {
        var provider = _client.GetStreamProvider(ConferenceEventStreams.Provider);
        await foreach (var @event in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                var stream = provider.GetStream<ConferenceEvent>(StreamId.Create(ConferenceEventStreams.Namespace, @event.Conference));
                await stream.OnNextAsync(@event).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not produce {Event} of {Conference} onto its stream", @event.GetType().Name, @event.Conference);
            }
        }
    }

    /// <summary>Lowered "when an existing call is disconnected or the next time a new call is successfully placed" (L15414).</summary>
    private void LowerCapacityAlarm()
    {
        if (Interlocked.Exchange(ref _capacityAlarmUp, 0) == 1)
            InOrder(() => _alarms.LowerAsync(AlarmCatalogue.CapacityExhausted, _node.Name, CapacityAlarmInstance));
    }

    private void InOrder(Func<Task> work)
    {
        lock (_alarmGate) _alarmWork = _alarmWork.ContinueWith(_ => work(), TaskScheduler.Default).Unwrap();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
