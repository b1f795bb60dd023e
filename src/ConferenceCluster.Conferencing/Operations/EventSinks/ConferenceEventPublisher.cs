using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Operations.Alarms;
using ConferenceCluster.Runtime.Hosting;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>
/// Turns the conference grain's events into event sink bodies, with Pexip's field names where its event sink API has
/// them (the seed only names the API, L3048; docs/decisions.md lists the fields), and hands them to this silo's dispatcher.
/// </summary>
/// <remarks>It also keeps this silo's <c>capacity_exhausted</c> alarm, which follows the same events.</remarks>
public sealed class ConferenceEventPublisher(EventSinkDispatcher dispatcher, AlarmRegistry alarms, ILocalSiloDetails silo) : IConferenceEvents
{
    /// <summary>Instance of this silo's capacity alarm: one per refusing node (the seed's alarms are per node, L15390).</summary>
    public const string CapacityAlarmInstance = "media";

    /// <summary>Set while this silo has raised the capacity alarm, so a connect costs no store read when none is up.</summary>
    private int _capacityAlarmUp;

    /// <summary>Raises and lowers run one after another, so a lower never overtakes the raise it follows.</summary>
    private Task _alarmWork = Task.CompletedTask;
    private readonly object _alarmGate = new();

    private void InOrder(Func<Task> work)
    {
        lock (_alarmGate) _alarmWork = _alarmWork.ContinueWith(_ => work(), TaskScheduler.Default).Unwrap();
    }

    public void CapacityExhausted(string conference, string signalingNode)
    {
        Interlocked.Exchange(ref _capacityAlarmUp, 1);
        InOrder(() => alarms.RaiseAsync(AlarmCatalogue.CapacityExhausted, silo.Name, CapacityAlarmInstance,
            $"out of transcoding resource: a call to {conference} signalled on {signalingNode} was refused"));
    }

    /// <summary>Lowered "when an existing call is disconnected or the next time a new call is successfully placed" (L15414).</summary>
    private void LowerCapacityAlarm()
    {
        if (Interlocked.Exchange(ref _capacityAlarmUp, 0) == 1)
            InOrder(() => alarms.LowerAsync(AlarmCatalogue.CapacityExhausted, silo.Name, CapacityAlarmInstance));
    }

    public void ConferenceStarted(ConferenceEventInfo conference) =>
        dispatcher.Publish(SinkEventNames.ConferenceStarted, conference.Conference, Conference(conference));

    public void ConferenceUpdated(ConferenceEventInfo conference) =>
        dispatcher.Publish(SinkEventNames.ConferenceUpdated, conference.Conference, Conference(conference));

    public void ConferenceEnded(ConferenceEventInfo conference, DateTimeOffset endTime, string reason)
    {
        var data = Conference(conference);
        data["end_time"] = SinkEvent.UnixSeconds(endTime);
        data["duration"] = Math.Round((endTime - conference.StartTime).TotalSeconds);
        data["end_reason"] = reason;
        dispatcher.Publish(SinkEventNames.ConferenceEnded, conference.Conference, data);
    }

    public void ParticipantConnected(ParticipantEventInfo participant)
    {
        LowerCapacityAlarm();
        dispatcher.Publish(SinkEventNames.ParticipantConnected, participant.Conference, Participant(participant));
    }

    public void ParticipantUpdated(ParticipantEventInfo participant) =>
        dispatcher.Publish(SinkEventNames.ParticipantUpdated, participant.Conference, Participant(participant));

    public void ParticipantDisconnected(ParticipantEventInfo participant, DateTimeOffset disconnectTime, string reason)
    {
        LowerCapacityAlarm();
        var data = Participant(participant);
        data["disconnect_reason"] = reason;
        data["duration"] = Math.Round((disconnectTime - participant.ConnectTime).TotalSeconds);
        dispatcher.Publish(SinkEventNames.ParticipantDisconnected, participant.Conference, data);
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
