using System.Text.Json.Nodes;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>
/// Turns the conference grain's events into event sink bodies, with Pexip's field names where its event sink API has
/// them (the seed only names the API, L3048; docs/decisions.md lists the fields), and hands them to this silo's dispatcher.
/// </summary>
public sealed class ConferenceEventPublisher(EventSinkDispatcher dispatcher) : IConferenceEvents
{
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

    public void ParticipantConnected(ParticipantEventInfo participant) =>
        dispatcher.Publish(SinkEventNames.ParticipantConnected, participant.Conference, Participant(participant));

    public void ParticipantUpdated(ParticipantEventInfo participant) =>
        dispatcher.Publish(SinkEventNames.ParticipantUpdated, participant.Conference, Participant(participant));

    public void ParticipantDisconnected(ParticipantEventInfo participant, DateTimeOffset disconnectTime, string reason)
    {
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
