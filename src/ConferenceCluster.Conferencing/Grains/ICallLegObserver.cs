namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// The signalling side of call legs on this silo (the SIP gateway): told when a conference ends a call (operator
/// disconnect, a failed node, the conference ending), so it can end the call with the endpoint. Called inside the
/// ParticipantGrain's turn: implementations must not block or call back into that grain.
/// </summary>
public interface ICallLegObserver
{
    void OnDisconnectedByConference(string participantId, string conference, string reason);
}
