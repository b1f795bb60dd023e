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
    /// <summary>How many times a call may be forwarded or retried between silos (stale caches, silos leaving) before it fails.</summary>
    public int MaxForwardCount { get; set; } = 5;
    /// <summary>
    /// How long a leaving silo keeps its connections open after it wrote itself Dead, so that responses in flight
    /// are flushed and the other silos have read the table before the sockets close.
    /// </summary>
    public TimeSpan ShutdownLinger { get; set; } = TimeSpan.FromMilliseconds(250);
}
