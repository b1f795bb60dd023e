namespace ConferenceCluster.Media.Mixing;

/// <summary>One listener's share of a tick: which <see cref="MixOutput"/> to send to it.</summary>
public readonly record struct ListenerOutput(MixerParticipantId Listener, MixOutput Output);
