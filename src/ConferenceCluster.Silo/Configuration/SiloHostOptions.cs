using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Silo.Configuration;

// The complete set of the host's configuration keys. Each may come from appsettings.json, an environment
// variable (Cluster__Id) or the command line (--Cluster:Id=x); SiloHostConfiguration.Keys lists them all and
// docs/operations.md documents them. A key that is not here is rejected at startup, so a typo cannot pass unnoticed.

/// <summary>Section <c>Cluster</c>: which cluster this silo joins and where that cluster's database is.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary><c>Cluster:Id</c>: silos with the same id and database form one cluster.</summary>
    public string Id { get; set; } = "conference-cluster";

    /// <summary>
    /// <c>Cluster:Storage</c>: sqlite (the embedded single silo: Orleans' localhost clustering, state in a SQLite file),
    /// postgres (a real cluster: Orleans' ADO.NET clustering, grain state and reminders) or memory (one silo, nothing kept).
    /// </summary>
    public ClusterStorageKind Storage { get; set; } = ClusterStorageKind.Sqlite;

    /// <summary><c>Cluster:ConnectionString</c>: required for postgres; for sqlite defaults to <c>./data/cluster.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>Cluster:Membership:*</c>: Orleans' membership timings, with our faster defaults (docs/operations.md "Silo failure").</summary>
    public MembershipTimingOptions Membership { get; set; } = new();

    /// <summary><c>Cluster:Messaging:*</c>: silo-to-silo and gateway messaging (response timeout, message limit ...).</summary>
    public MessagingTimingOptions Messaging { get; set; } = new();

    /// <summary>
    /// <c>Cluster:MoveCallsOffFailedNodes</c>: when a node fails, calls whose signalling node survives are placed again
    /// and re-INVITEd to their new media node (true, the default); false drops them as Pexip does (R85).
    /// </summary>
    public bool MoveCallsOffFailedNodes { get; set; } = true;
}

/// <summary>What a Conferencing Node does with the calls it receives.</summary>
public enum SiloRole
{
    /// <summary>Receives calls and processes their media (Pexip's transcoding Conferencing Node).</summary>
    Transcoding,
    /// <summary>Receives calls and relays their media to a transcoding node (Pexip's Proxying Edge Node).</summary>
    Proxying,
}

/// <summary>Section <c>Silo</c>: this silo (Conferencing Node) and its listeners.</summary>
public sealed class SiloHostOptions
{
    public const string SectionName = "Silo";

    /// <summary><c>Silo:Name</c>: unique among the cluster's active silos.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary><c>Silo:Location</c>: the system location this node belongs to.</summary>
    public string Location { get; set; } = "default";

    /// <summary><c>Silo:Role</c>: transcoding or proxying.</summary>
    public SiloRole Role { get; set; } = SiloRole.Transcoding;

    /// <summary><c>Silo:AdvertisedAddress</c>: the IP address or host name other silos and clients reach this one at.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public SiloPortOptions Ports { get; set; } = new();

    /// <summary><c>Silo:Https:*</c>: the certificate of the HTTPS listener (<c>Silo:Ports:Https</c>).</summary>
    public SiloHttpsOptions Https { get; set; } = new();

    public SiloCapacityOptions Capacity { get; set; } = new();

    /// <summary>
    /// <c>Silo:DrainTimeout</c>: on SIGTERM the node first drains (no new calls, 503 + Retry-After, status 503)
    /// until its calls have ended or this much time has passed, then leaves the cluster. 0 stops at once.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>Silo:GrainAssemblies</c>: paths of extra assemblies whose grains this silo hosts (tests load theirs this way).</summary>
    public List<string> GrainAssemblies { get; set; } = [];
}

/// <summary>Section <c>Silo:Ports</c>. Port 0 takes an ephemeral port (SIP and HTTP only: Orleans needs its own two fixed).</summary>
public sealed class SiloPortOptions
{
    /// <summary><c>Silo:Ports:Silo</c>: silo-to-silo messaging (Orleans' default).</summary>
    public int Silo { get; set; } = 11111;

    /// <summary><c>Silo:Ports:Gateway</c>: cluster clients (Orleans' default).</summary>
    public int Gateway { get; set; } = 30000;

    /// <summary><c>Silo:Ports:Http</c>: health and the management API, bound on all interfaces.</summary>
    public int Http { get; set; } = 8080;

    /// <summary>
    /// <c>Silo:Ports:Https</c>: the same HTTP endpoints (web app, client and management APIs) over HTTPS, on all
    /// interfaces; unset: no HTTPS. Browsers give the web app the microphone only on https:// or http://localhost.
    /// </summary>
    public int? Https { get; set; }

    /// <summary><c>Silo:Ports:Sip</c>: the SIP gateway, UDP and TCP.</summary>
    public int Sip { get; set; } = 5060;

    /// <summary><c>Silo:Ports:MediaRange</c>: RTP/RTCP ports of this media node, <c>first-last</c>.</summary>
    public string MediaRange { get; set; } = "40000-49999";
}

/// <summary>Section <c>Silo:Https</c>: the certificate the HTTPS listener presents.</summary>
public sealed class SiloHttpsOptions
{
    /// <summary>
    /// <c>Silo:Https:Certificate</c>: a PKCS#12 file (.pfx/.p12, no password) or a PEM certificate (with
    /// <c>Silo:Https:Key</c>). Unset: the silo makes a self-signed certificate for its advertised address at each start.
    /// </summary>
    public string? Certificate { get; set; }

    /// <summary><c>Silo:Https:Key</c>: the PEM private key of a PEM <c>Silo:Https:Certificate</c>.</summary>
    public string? Key { get; set; }
}

/// <summary>Section <c>Silo:Capacity</c>: what this Conferencing Node may carry.</summary>
public sealed class SiloCapacityOptions
{
    /// <summary>
    /// <c>Silo:Capacity:AudioCalls</c>: the number of audio-only calls this node may carry (1/12 of an HD call each,
    /// seed L1179). Unset: the conferencing layer's default until the node measures its own (R60).
    /// </summary>
    public long? AudioCalls { get; set; }
}

/// <summary>Section <c>Demo</c>: what the README's run command shows.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>
    /// <c>Demo:Enabled</c>: create the demo rooms if missing: <c>demo</c> (no PIN) and <c>demo-pin</c> (Host PIN 1234,
    /// Guest PIN 5678). scripts/run.sh turns it on.
    /// </summary>
    public bool Enabled { get; set; }
}

/// <summary>Section <c>Admin</c>: the management API's HTTP Basic credentials.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary><c>Admin:Username</c>.</summary>
    public string Username { get; set; } = "admin";

    /// <summary>
    /// <c>Admin:Password</c>. When unset, the first silo of the cluster generates one, stores only its salted
    /// hash in the cluster database and logs it once.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>
    /// <c>Admin:Dashboard</c>: serve the Orleans Dashboard at <c>/dashboard</c> behind these credentials (default true).
    /// Off saves its per-call profiling filter.
    /// </summary>
    public bool Dashboard { get; set; } = true;
}
