using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Conferencing.Grains;

/// <summary>
/// The signalling side of call legs on this silo (the SIP gateway): told when a conference ends a call (operator
/// disconnect, a failed node, a reject or timeout, the conference ending), lets a waiting call in, plays it a prompt
/// or mutes it, so it can act on the endpoint. Called inside the ParticipantGrain's turn: implementations must not
/// block or call back into that grain.
/// </summary>
public interface ICallLegObserver
{
    void OnDisconnectedByConference(string participantId, string conference, string reason);

    /// <summary>A call that was waiting for the host is now in the conference, with media on <see cref="JoinResult.MediaNode"/>.</summary>
    void OnAdmitted(string participantId, string conference, JoinResult result) { }

    /// <summary>Play this prompt (a <see cref="Services.Prompts.PromptCatalogue"/> id) to the call: waiting, "the host has left", a knock.</summary>
    void OnPrompt(string participantId, string conference, string promptId) { }

    /// <summary>The conference left the call's audio out of the mix (or put it back); the participant is not told (R-MUTE-3).</summary>
    void OnMuted(string participantId, string conference, bool muted) { }

    /// <summary>
    /// The call's media node (or proxying node) failed and the conference placed its media again, on
    /// <see cref="JoinResult.MediaNode"/> (through <see cref="JoinResult.MediaProxyNode"/>): move the endpoint there.
    /// </summary>
    void OnMediaMoved(string participantId, string conference, JoinResult result) { }
}
