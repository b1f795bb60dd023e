namespace ConferenceCluster.Runtime.Messaging;

/// <summary>Silo-to-silo and client-to-gateway messaging tunables.</summary>
public sealed class MessagingOptions
{
    /// <summary>How long a caller waits for a response (Orleans: 30 s).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Largest frame accepted from a peer; a bigger length prefix is a protocol error and closes the connection.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;
    /// <summary>How long to wait for a TCP connect to another silo.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How many times a message may be forwarded between silos (stale directory caches) before it fails.</summary>
    public int MaxForwardCount { get; set; } = 3;
}
