namespace ConferenceCluster.Media.Transport;

/// <summary>
/// No RTP/RTCP port pair is free in the node's media port range. A full node, not a fault: the signalling side
/// answers 503 with Retry-After, as for any other lack of capacity.
/// </summary>
public sealed class MediaPortsExhaustedException(string message) : InvalidOperationException(message);
