using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using Orleans.Placement;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>A grain interface of its own, so the implicit subscriber has a grain type to be activated as.</summary>
[Alias("cc.IConferenceEventSinkGrain")]
public interface IConferenceEventSinkGrain : IGrainWithStringKey;

/// <summary>
/// Feeds the event sinks from a conference's event stream (implicit subscription, one activation per conference, key =
/// its name): each event becomes its event sink body, with Pexip's field names where its event sink API has them (the
/// seed only names the API, L3048; docs/decisions.md lists the fields), and goes to the sinks configured for the
/// location of the node that produced it (L3052) through this silo's <see cref="EventSinkDispatcher"/>.
/// </summary>
/// <remarks>Prefer-local: it activates where the stream's pulling agent runs, so an event crosses no further silo.</remarks>
[ImplicitStreamSubscription(ConferenceEventStreams.Namespace)]
[PreferLocalPlacement]
public sealed class ConferenceEventSinkGrain(EventSinkDispatcher dispatcher) : Grain, IConferenceEventSinkGrain, IStreamSubscriptionObserver, IAsyncObserver<ConferenceEvent>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<ConferenceEvent>().ResumeAsync(this);

    public Task OnNextAsync(ConferenceEvent item, StreamSequenceToken? token = null)
    {
        var (name, data) = SinkEventBodies.Of(item);
        dispatcher.Publish(name, item.Conference, data, item.Location);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

/// <summary>The event sink API's names and bodies for the conference events.</summary>
public static class SinkEventBodies
{
    public static (string Name, JsonObject Data) Of(ConferenceEvent @event) => @event switch
    {
        ConferenceStarted e => (SinkEventNames.ConferenceStarted, Conference(e.Info)),
        ConferenceUpdated e => (SinkEventNames.ConferenceUpdated, Conference(e.Info)),
        ConferenceEnded e => (SinkEventNames.ConferenceEnded, Ended(e)),
        ParticipantConnected e => (SinkEventNames.ParticipantConnected, Participant(e.Participant)),
        ParticipantUpdated e => (SinkEventNames.ParticipantUpdated, Participant(e.Participant)),
        ParticipantDisconnected e => (SinkEventNames.ParticipantDisconnected, Disconnected(e)),
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "not a sink event"),
    };

    private static JsonObject Ended(ConferenceEnded e)
    {
        var data = Conference(e.Info);
        data["end_time"] = SinkEvent.UnixSeconds(e.At);
        data["duration"] = Math.Round((e.At - e.Info.StartTime).TotalSeconds);
        data["end_reason"] = e.Reason;
        return data;
    }

    private static JsonObject Disconnected(ParticipantDisconnected e)
    {
        var data = Participant(e.Participant);
        data["disconnect_reason"] = e.Reason;
        data["duration"] = Math.Round((e.At - e.Participant.ConnectTime).TotalSeconds);
        return data;
    }

    private static JsonObject Conference(ConferenceEventInfo c) => new()
    {
        ["name"] = c.Conference,
        ["service_type"] = "conference",
        ["start_time"] = SinkEvent.UnixSeconds(c.StartTime),
        ["is_locked"] = c.IsLocked,
        ["guests_muted"] = c.GuestsMuted,
        ["participant_count"] = c.Participants,
    };

    private static JsonObject Participant(ParticipantEventInfo p) => new()
    {
        ["conference"] = p.Conference,
        ["uuid"] = p.ParticipantId,
        ["call_id"] = p.ParticipantId,
        ["display_name"] = p.DisplayName,
        ["role"] = p.Role == ParticipantRole.Host ? "chair" : "guest",
        ["service_type"] = "conference",
        ["call_direction"] = "in",
        ["protocol"] = p.Leg?.Protocol,
        ["destination_alias"] = p.Leg?.Alias,
        ["source_alias"] = p.Leg?.RemoteAddress,
        ["remote_address"] = p.Leg?.RemoteAddress,
        ["signalling_node"] = p.SignalingNode,
        ["media_node"] = p.MediaNode,
        ["proxy_node"] = p.MediaProxyNode,
        ["system_location"] = p.SystemLocation,
        ["connect_time"] = SinkEvent.UnixSeconds(p.ConnectTime),
        ["is_muted"] = p.IsMuted,
        ["has_media"] = true,
    };
}
