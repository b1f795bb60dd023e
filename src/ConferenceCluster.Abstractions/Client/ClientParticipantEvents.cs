namespace ConferenceCluster.Gateway.Client;

/// <summary>
/// What happens to one client-API participant that only its signalling node knows (its media call ended under it, it was
/// disconnected), on an Orleans stream of its own: provider <see cref="Conferencing.Events.ConferenceEventStreams.Provider"/>,
/// namespace <see cref="Namespace"/>, key = the participant's id. Whichever silo serves the participant's event stream
/// subscribes to it beside the conference's stream.
/// </summary>
public static class ClientParticipantEventStreams
{
    public const string Namespace = "client-participant";
}

[GenerateSerializer, Immutable, Alias("cc.ClientParticipantEvent")]
public abstract record ClientParticipantEvent(string ParticipantId);

/// <summary>
/// The participant's media call ended while the participant stays in the conference: its media node failed and the
/// conference placed it on another (<paramref name="Reoffer"/>: make a new call, a fresh offer), or the call was disconnected.
/// </summary>
[GenerateSerializer, Immutable, Alias("cc.ClientCallDisconnected")]
public sealed record ClientCallDisconnected(string ParticipantId, string CallId, string Reason, bool Reoffer) : ClientParticipantEvent(ParticipantId);

/// <summary>The participant is gone: disconnected by a Host or the conference, released, its token expired.</summary>
[GenerateSerializer, Immutable, Alias("cc.ClientParticipantDisconnected")]
public sealed record ClientParticipantDisconnected(string ParticipantId, string Reason) : ClientParticipantEvent(ParticipantId);
