using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Gateway.Client;

/// <summary>
/// One client-API (browser) participant signalled by this silo, from request_token until it is gone: the conference it
/// is in (or waiting for), where its media goes, and its current media call. Fields change under <see cref="Gate"/>;
/// changes to the media call are one at a time (<see cref="CallGate"/>).
/// </summary>
internal sealed class ClientParticipant(string participantId, string conference, string alias, string displayName, ParticipantRole role, string remoteAddress)
{
    private int _ended;

    public string ParticipantId { get; } = participantId;
    public string Conference { get; } = conference;
    /// <summary>The alias it asked for (the path of its requests).</summary>
    public string Alias { get; } = alias;
    public string DisplayName { get; } = displayName;
    public ParticipantRole Role { get; } = role;
    public string RemoteAddress { get; } = remoteAddress;

    public Lock Gate { get; } = new();

    /// <summary>One change of the media call at a time: a new offer, a disconnect, a move off a failed node, the end.</summary>
    public SemaphoreSlim CallGate { get; } = new(1, 1);

    /// <summary>The conference counts it (accepted, in or waiting): its end must tell the conference.</summary>
    public bool Joined { get; set; }

    /// <summary>Waiting for the host: no media node yet.</summary>
    public bool Waiting { get; set; }

    /// <summary>Completes when the conference lets it in (or at once when it joined directly).</summary>
    public TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where the conference put its media (R28) and the edge relaying it (R43), once in the conference.</summary>
    public string? MediaNode { get; set; }
    public string? ProxyNode { get; set; }

    /// <summary>Muted by the conference; applied to each media leg as it is made.</summary>
    public bool Muted { get; set; }

    /// <summary>The current media call and the nodes its leg and relay are on (they stay put when the conference moves it).</summary>
    public string? CallId { get; set; }
    public string? CallMediaNode { get; set; }
    public string? CallProxyNode { get; set; }
    public bool CallAcknowledged { get; set; }

    /// <summary>When its latest token expires; without a refresh by then it is disconnected.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    public ITimer? ExpiryTimer { get; set; }

    /// <summary>Its private events (<see cref="ClientParticipantEvent"/>) go out one after another.</summary>
    public Task LastPublished { get; set; } = Task.CompletedTask;

    public ClientParticipantInfo Info()
    {
        lock (Gate) return new ClientParticipantInfo(ParticipantId, Conference, DisplayName, Role, Waiting, CallId, ExpiresAt);
    }

    /// <summary>True for the first caller only: the end is handled once, whoever ends it.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    public bool HasEnded => Volatile.Read(ref _ended) != 0;
}
