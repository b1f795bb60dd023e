namespace ConferenceCluster.Media.Relay;

/// <summary>What a relay forwarded, per direction; dropped packets came from an unexpected source or had nowhere to go yet.</summary>
public sealed record RtpRelayStatistics(
    long RtpFromEndpoint,
    long RtpToEndpoint,
    long RtcpFromEndpoint,
    long RtcpToEndpoint,
    long Dropped,
    string? EndpointAddress);
