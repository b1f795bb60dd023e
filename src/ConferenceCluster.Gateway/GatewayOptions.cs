namespace ConferenceCluster.Gateway;

/// <summary>The SIP gateway and media node of one silo (configuration keys <c>Silo:Ports:Sip</c>, <c>Silo:Ports:MediaRange</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>SIP over UDP and TCP; 0 takes an ephemeral port (tests).</summary>
    public int SipPort { get; set; } = 5060;

    /// <summary>Where SIP and RTP listen.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>The address endpoints send media and in-dialog requests to (the silo's advertised address).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>RTP ports of this media node, "first-last" (even RTP ports, RTCP on the next odd one).</summary>
    public string MediaPortRange { get; set; } = "40000-49999";

    /// <summary>Media worker threads; null = one per core.</summary>
    public int? MediaWorkers { get; set; }

    /// <summary>Video worker threads (composition and VP8, beside the audio workers); null = one per core.</summary>
    public int? VideoWorkers { get; set; }

    /// <summary>Retry-After on a 503 when the cluster has no capacity for the call.</summary>
    public TimeSpan CapacityRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long opening or closing one end of a backplane may take before the conference moves on without it: a node
    /// that died but is not yet declared dead must not hold up the joins and leaves of the whole conference.
    /// </summary>
    public TimeSpan BackplaneCallTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
