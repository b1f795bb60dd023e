using System.Net;

namespace ConferenceCluster.LoadTest.Running;

/// <summary>The shape of a run.</summary>
public enum LoadProfile
{
    /// <summary>N participants join M conferences evenly over the ramp, stay for the hold time, and leave.</summary>
    Ramp,

    /// <summary>As ramp, then everyone stays until the duration ends.</summary>
    Hold,

    /// <summary>As hold, and after the ramp participants leave and rejoin at the churn rate.</summary>
    Churn,

    /// <summary>As hold, and at the surge time a spike of extra participants joins on top of the steady load.</summary>
    Surge,
}

/// <summary>The voice codec the participants offer and send.</summary>
public enum LoadCodec
{
    /// <summary>G.711 µ-law (a SIP phone).</summary>
    Pcmu,

    /// <summary>Opus 48 kHz (a WebRTC client), with RFC 6464 levels and DTX unless turned off.</summary>
    Opus,
}

/// <summary>How participants are spread over several silo targets.</summary>
public enum TargetMode
{
    /// <summary>Participant i calls target i mod T, whatever its conference.</summary>
    RoundRobin,

    /// <summary>Each conference is dialled in one location (conference c in location c mod L), round robin over that location's silos.</summary>
    PerLocation,
}

/// <summary>A silo's SIP address and the location it is in (for <see cref="TargetMode.PerLocation"/>).</summary>
public sealed record SipTarget(string Location, IPEndPoint EndPoint)
{
    /// <summary>"host:port" or "location=host:port" (IPv4 literal or resolvable name).</summary>
    public static bool TryParse(string text, out SipTarget? target, out string? error)
    {
        target = null;
        var location = "default";
        var address = text.Trim();
        var equals = address.IndexOf('=');
        if (equals >= 0)
        {
            location = address[..equals].Trim();
            address = address[(equals + 1)..].Trim();
            if (location.Length == 0)
            {
                error = $"'{text}': the location before '=' is empty";
                return false;
            }
        }
        if (!TryParseEndPoint(address, out var endPoint, out error))
        {
            error = $"'{text}': {error}";
            return false;
        }
        target = new SipTarget(location, endPoint!);
        return true;
    }

    internal static bool TryParseEndPoint(string text, out IPEndPoint? endPoint, out string? error)
    {
        endPoint = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            error = "expected host:port with a port from 1 to 65535";
            return false;
        }
        var host = text[..colon];
        if (!IPAddress.TryParse(host, out var address))
        {
            try
            {
                address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
            }
            catch (System.Net.Sockets.SocketException)
            {
                address = null;
            }
            if (address is null)
            {
                error = $"cannot resolve host '{host}'";
                return false;
            }
        }
        endPoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }
}

/// <summary>Everything a run is told. <see cref="Validate"/> names every bad field; the runner refuses options that do not validate.</summary>
public sealed record LoadTestOptions
{
    /// <summary>No run is longer than an hour, whatever it is asked.</summary>
    public static readonly TimeSpan LongestDuration = TimeSpan.FromHours(1);

    /// <summary>No run has more participants than this, whatever it is asked (ports, sockets and one machine's CPU).</summary>
    public const int MostParticipants = 10_000;

    public LoadProfile Profile { get; init; } = LoadProfile.Ramp;

    /// <summary>Participants of the steady load (N).</summary>
    public int Participants { get; init; } = 10;

    /// <summary>Conferences they are spread over (M); participant i joins conference i mod M.</summary>
    public int Conferences { get; init; } = 1;

    /// <summary>The steady load joins evenly over this (T).</summary>
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Ramp profile: how long everyone stays after the last join before the run ends.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The hard limit of the run: at this time everyone hangs up and the report is written.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The hard limit of participants (steady plus surge); a plan above it is refused, not trimmed.</summary>
    public int MaxParticipants { get; init; } = 1000;

    /// <summary>Talkers per conference (the first K to join send their tone; the rest send silence). At most <see cref="MixedSpeakers"/>.</summary>
    public int TalkersPerConference { get; init; } = 3;

    /// <summary>The voice codec offered and sent (default G.711 µ-law).</summary>
    public LoadCodec Codec { get; init; } = LoadCodec.Pcmu;

    /// <summary>Opus: offer RFC 6464 audio levels (a=extmap) and send each packet's level when the answer accepts them.</summary>
    public bool AudioLevels { get; init; } = true;

    /// <summary>Opus: silent participants use DTX (a comfort-noise packet every 400 ms) instead of a frame every 20 ms.</summary>
    public bool Dtx { get; init; } = true;

    /// <summary>Steady (the first K talk all the time) or turns (K at a time, the next K every <see cref="TurnLength"/>).</summary>
    public TalkPattern TalkPattern { get; init; } = TalkPattern.Steady;

    /// <summary>Turns: how long each set of K talkers talks.</summary>
    public TimeSpan TurnLength { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many speakers the cluster's mixer mixes (its N loudest, 4 by default): more talkers could not all be heard, so the check would not be exact.</summary>
    public int MixedSpeakers { get; init; } = 4;

    /// <summary>The alias dialled for conference c: {0} is replaced by c + 1.</summary>
    public string AliasFormat { get; init; } = "loadtest{0}";

    /// <summary>Silo SIP addresses.</summary>
    public IReadOnlyList<SipTarget> Targets { get; init; } = [];

    public TargetMode TargetMode { get; init; } = TargetMode.RoundRobin;

    /// <summary>A Kamailio (or other proxy) front door: every INVITE goes there, with sip:alias@<see cref="Domain"/>.</summary>
    public IPEndPoint? FrontDoor { get; init; }

    /// <summary>The Request-URI host when calling through the front door.</summary>
    public string? Domain { get; init; }

    /// <summary>The room's host PIN; with it, participants key a PIN on the PIN entry screen.</summary>
    public string? HostPin { get; init; }

    public string? GuestPin { get; init; }

    /// <summary>The fraction of participants keying the guest PIN (the rest key the host PIN).</summary>
    public double GuestRatio { get; init; }

    /// <summary>Churn profile: participants leaving (and later rejoining) per second.</summary>
    public double ChurnPerSecond { get; init; } = 1;

    /// <summary>Churn profile: how long a participant stays away before rejoining.</summary>
    public TimeSpan ChurnPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Surge profile: extra participants of the spike.</summary>
    public int SurgeParticipants { get; init; }

    /// <summary>Surge profile: when the spike starts, from the start of the run.</summary>
    public TimeSpan SurgeAt { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Surge profile: the spike joins evenly over this.</summary>
    public TimeSpan SurgeOver { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Local address for SIP and RTP sockets.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The address the cluster reaches us on (SDP, Contact, Via); defaults to <see cref="BindAddress"/>.</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>
    /// How long after a talker starts or stops (and after a listener joins) the mix may still be settling
    /// (jitter buffer, speaker selection hold and release); windows inside it are not judged for that talker.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Local processes (silos) whose CPU the progress and the report show.</summary>
    public IReadOnlyList<int> CpuPids { get; init; } = [];

    public string EffectiveAdvertisedAddress => AdvertisedAddress ?? (BindAddress.Equals(IPAddress.Any) ? "127.0.0.1" : BindAddress.ToString());

    /// <summary>Steady plus surge: every participant the run may create.</summary>
    public int TotalParticipants => Participants + (Profile == LoadProfile.Surge ? SurgeParticipants : 0);

    /// <summary>Every problem, each naming its option; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Participants < 1) errors.Add($"--participants must be at least 1 (got {Participants}).");
        if (Conferences < 1) errors.Add($"--conferences must be at least 1 (got {Conferences}).");
        else if (Participants >= 1 && Conferences > TotalParticipants)
            errors.Add($"--conferences ({Conferences}) cannot exceed the participants ({TotalParticipants}, --participants plus --surge).");
        if (MaxParticipants is < 1 or > MostParticipants) errors.Add($"--max-participants must be between 1 and {MostParticipants} (got {MaxParticipants}).");
        else if (TotalParticipants > MaxParticipants)
            errors.Add($"the run would create {TotalParticipants} participants, more than --max-participants {MaxParticipants}.");
        if (Duration <= TimeSpan.Zero || Duration > LongestDuration) errors.Add($"--duration must be more than 0 and at most {LongestDuration.TotalSeconds:0} seconds (got {Duration.TotalSeconds:0.###}).");
        if (Ramp < TimeSpan.Zero) errors.Add("--ramp cannot be negative.");
        else if (Ramp >= Duration && Duration > TimeSpan.Zero) errors.Add($"--ramp ({Ramp.TotalSeconds:0.###} s) must end before --duration ({Duration.TotalSeconds:0.###} s).");
        if (Hold < TimeSpan.Zero) errors.Add("--hold cannot be negative.");
        if (MixedSpeakers < 1) errors.Add($"--mixed-speakers must be at least 1 (got {MixedSpeakers}).");
        if (TalkersPerConference < 0 || TalkersPerConference > MixedSpeakers)
            errors.Add($"--talkers must be between 0 and --mixed-speakers ({MixedSpeakers}) so every talker is mixed (got {TalkersPerConference}).");
        if (TalkersPerConference > Audio.ToneFrequencyPlan.Count) errors.Add($"--talkers cannot exceed {Audio.ToneFrequencyPlan.Count} distinct tones.");
        if (!AliasFormat.Contains("{0}", StringComparison.Ordinal)) errors.Add($"--alias-format must contain {{0}} for the conference number (got '{AliasFormat}').");
        if (Targets.Count == 0 && FrontDoor is null) errors.Add("give at least one --target (a silo's SIP host:port) or a --front-door.");
        if (Targets.Count > 0 && FrontDoor is not null) errors.Add("--target and --front-door exclude each other: call the silos directly or through the front door.");
        if (FrontDoor is not null && string.IsNullOrWhiteSpace(Domain)) errors.Add("--front-door needs --domain (the Request-URI host the proxy routes on).");
        if (HostPin is not null && !IsPin(HostPin)) errors.Add("--host-pin must be 4 to 20 digits.");
        if (GuestPin is not null && !IsPin(GuestPin)) errors.Add("--guest-pin must be 4 to 20 digits.");
        if (GuestPin is not null && HostPin is null) errors.Add("--guest-pin needs --host-pin (a room with a guest PIN has a host PIN).");
        if (GuestRatio is < 0 or > 1 || double.IsNaN(GuestRatio)) errors.Add($"--guest-ratio must be between 0 and 1 (got {GuestRatio}).");
        else if (GuestRatio > 0 && GuestPin is null) errors.Add("--guest-ratio needs --guest-pin.");
        if (Profile == LoadProfile.Churn && (ChurnPerSecond <= 0 || double.IsNaN(ChurnPerSecond) || ChurnPerSecond > 1000))
            errors.Add($"--churn-rate must be more than 0 and at most 1000 per second (got {ChurnPerSecond}).");
        if (ChurnPause < TimeSpan.Zero) errors.Add("--churn-pause cannot be negative.");
        if (Profile == LoadProfile.Surge)
        {
            if (SurgeParticipants < 1) errors.Add($"--surge must be at least 1 for the surge profile (got {SurgeParticipants}).");
            if (SurgeAt < TimeSpan.Zero || SurgeOver < TimeSpan.Zero) errors.Add("--surge-at and --surge-over cannot be negative.");
            else if (SurgeAt + SurgeOver >= Duration) errors.Add("the surge (--surge-at + --surge-over) must end before --duration.");
        }
        if (Settle < TimeSpan.Zero) errors.Add("--settle cannot be negative.");
        if (!Enum.IsDefined(Codec)) errors.Add($"--codec must be pcmu or opus (got {Codec}).");
        if (TalkPattern == TalkPattern.Turns && TurnLength <= 2 * Settle)
            errors.Add($"--turn ({TurnLength.TotalSeconds:0.###} s) must be longer than twice --settle ({Settle.TotalSeconds:0.###} s), or no window of a turn is ever judged.");
        return errors;
    }

    private static bool IsPin(string pin) => pin.Length is >= 4 and <= 20 && pin.All(char.IsAsciiDigit);
}
