using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Layouts;
using ConferenceCluster.Conferencing.Services;

namespace ConferenceCluster.Conferencing.Grains.Interfaces;

/// <summary>Host or Guest (L994, L5531); a room without PINs makes everyone a Host.</summary>
[GenerateSerializer, Alias("cc.ParticipantRole")]
public enum ParticipantRole
{
    Host,
    Guest,
}

/// <summary>A call that wants to join a conference.</summary>
/// <param name="ParticipantId">The call leg (ParticipantGrain key); joining twice with one id is answered with the first placement.</param>
/// <param name="SignalingNode">The node that received the call; it keeps the signalling (R17, L2176).</param>
/// <param name="Role">The role PIN entry gave (R-PIN-2); a caller to a room without a Host PIN is a Host whatever it says (L6990).</param>
/// <param name="PolicyMediaLocations">A policy-supplied media-location list replacing the configured chain (R26, L2219).</param>
/// <param name="CallKind">Video, audio-only or control-only: how often the waiting prompt repeats (R-HG-1, L6938), whether a Host starts the meeting (R-HG-3).</param>
/// <param name="Arrival">Dialled in, or invited (ADP, manual dial-out): the lock treats invitees differently (R-LOCK-2/3).</param>
[GenerateSerializer, Immutable, Alias("cc.JoinRequest")]
public sealed record JoinRequest(
    string ParticipantId,
    string SignalingNode,
    CallMedia Media,
    ParticipantRole Role = ParticipantRole.Host,
    string? DisplayName = null,
    IReadOnlyList<string>? PolicyMediaLocations = null,
    CallKind CallKind = CallKind.AudioOnly,
    ArrivalKind Arrival = ArrivalKind.Caller,
    CallLeg? Leg = null);

[GenerateSerializer, Alias("cc.JoinRejectionReason")]
public enum JoinRejectionReason
{
    /// <summary>No transcoding (or proxying) capacity in any candidate location (R25, L2197): "capacity exceeded".</summary>
    CapacityExceeded,
    /// <summary>The signalling node is in maintenance mode (L11666).</summary>
    SignalingNodeInMaintenance,
    /// <summary>The signalling node is not a live node of the cluster.</summary>
    SignalingNodeUnknown,
    /// <summary>No Virtual Meeting Room has this name.</summary>
    ConferenceNotFound,
    /// <summary>The room's participant limit is reached (L5550).</summary>
    ParticipantLimitReached,
}

/// <summary>The answer to a join: where the media goes, or why not.</summary>
/// <param name="MediaNode">The transcoding node that processes the participant's media (and, unproxied, talks to the endpoint, R28).</param>
/// <param name="MediaProxyNode">The proxying edge node that relays the endpoint's media, when the call came in on one (R43).</param>
/// <param name="Message">What the caller is told when rejected: the seed's "capacity exceeded" (L2054), for instance.</param>
/// <param name="Waiting">
/// Accepted into the conference's lobby, "Waiting for the host" (R-HG-1, R-LOCK-2/3): no media node yet (all the media
/// fields are null) and no capacity held. When let in, the participant's grain gets <see cref="IParticipantGrain.Admitted"/>.
/// </param>
[GenerateSerializer, Immutable, Alias("cc.JoinResult")]
public sealed record JoinResult(
    string ParticipantId,
    bool Accepted,
    string SignalingNode,
    string? MediaNode = null,
    string? MediaProxyNode = null,
    string? MediaLocation = null,
    JoinRejectionReason? Rejection = null,
    string? Message = null,
    bool Waiting = false);

/// <param name="Media">The call type the participant declared; null for one restored from state that predates it.</param>
[GenerateSerializer, Immutable, Alias("cc.ParticipantStatus")]
public sealed record ParticipantStatus(
    string ParticipantId,
    string? DisplayName,
    ParticipantRole Role,
    string SignalingNode,
    string? MediaProxyNode,
    string MediaNode,
    string MediaLocation,
    DateTimeOffset JoinedAt,
    CallMedia? Media = null,
    bool Muted = false,
    CallLeg? Leg = null);

/// <summary>A participant at the "Waiting for the host" screen (R-HG-1, R-LOCK-5: "{n} waiting for host").</summary>
/// <param name="Since">When it started waiting; the Waiting-for-Host timeout runs from here (R-HG-2).</param>
[GenerateSerializer, Immutable, Alias("cc.WaitingParticipantStatus")]
public sealed record WaitingParticipantStatus(string ParticipantId, ParticipantRole Role, string? DisplayName, DateTimeOffset Since, string SignalingNode);

/// <summary>A backplane of the conference (R34–R38): local inside a location, geo between intermediaries.</summary>
[GenerateSerializer, Immutable, Alias("cc.BackplaneStatus")]
public sealed record BackplaneStatus(BackplaneKind Kind, string NodeA, string LocationA, string NodeB, string LocationB);

/// <summary>A transcoding node that processes the conference's media.</summary>
/// <param name="Held">What the conference holds on it: its participants' calls plus the backplane reservation (R54).</param>
[GenerateSerializer, Immutable, Alias("cc.MediaNodeStatus")]
public sealed record MediaNodeStatus(string Node, string Location, int Participants, bool IsIntermediary, CapacityUnits Held);

/// <param name="Participants">Participants in the conference, with media; <paramref name="Waiting"/> lists those still waiting.</param>
/// <param name="Intermediaries">Location → its intermediary node (R37).</param>
/// <param name="IsLocked">Locked (R-LOCK): new Guests, or every new caller where there is no Host PIN, wait.</param>
/// <param name="GuestsMuted">Mute all Guests is on (R-MUTE-2): later Guests are muted on entry too.</param>
/// <param name="Waiting">Waiting for the host, in arrival order (R-LOCK-5); null reads as none.</param>
/// <param name="Layout">The layout in force (the room's View or a Host's change, L7089); null for an audio-only conference.</param>
[GenerateSerializer, Immutable, Alias("cc.ConferenceStatus")]
public sealed record ConferenceStatus(
    string Name,
    DateTimeOffset? StartedAt,
    IReadOnlyList<ParticipantStatus> Participants,
    IReadOnlyList<MediaNodeStatus> MediaNodes,
    IReadOnlyList<BackplaneStatus> Backplanes,
    IReadOnlyDictionary<string, string> Intermediaries,
    bool IsLocked = false,
    bool GuestsMuted = false,
    IReadOnlyList<WaitingParticipantStatus>? Waiting = null,
    LayoutKind? Layout = null);

/// <summary>
/// One conference instance (key = the service name), single activation cluster-wide: it decides where each
/// participant's media goes and which backplanes link its media nodes. It calls NodeGrains only; whatever must
/// reach it from elsewhere comes as a request it never waits back on, so no call cycle can form.
/// </summary>
[Alias("cc.IConferenceGrain")]
public interface IConferenceGrain : IGrainWithStringKey
{
    [Alias("Join")]
    Task<JoinResult> Join(JoinRequest request);

    /// <summary>The participant hung up. False if it was neither in the conference nor waiting.</summary>
    [Alias("Leave")]
    Task<bool> Leave(string participantId);

    /// <summary>The participant hung up; what its media leg measured goes into its history record.</summary>
    [Alias("Leave2")]
    Task<bool> Leave(string participantId, CallQuality? quality);

    /// <summary>Disconnects a participant (in or waiting) for a reason (operator command, policy). False if it was not there.</summary>
    [Alias("Disconnect")]
    Task<bool> Disconnect(string participantId, string reason);

    /// <summary>
    /// DTMF digits from a participant in, or waiting in, the conference (R-DTMF, L8140–8171): a Host in the conference
    /// toggles the lock (<c>*7</c>), mute all Guests (<c>*5</c>) or ends the conference (<c>##</c>); from anyone else,
    /// nothing happens (AT-65). Gateway calls forward their DTMF instead and never call this (L8153).
    /// </summary>
    [Alias("Dtmf")]
    Task Dtmf(string participantId, string digits);

    /// <summary>Locks the conference (R-LOCK-1..3). False if no conference instance is running.</summary>
    [Alias("Lock")]
    Task<bool> Lock();

    /// <summary>Unlocks it: everyone still waiting joins, as far as the first-Host rule allows (R-LOCK-2/3, Q12). False if none is running.</summary>
    [Alias("Unlock")]
    Task<bool> Unlock();

    /// <summary>Lets one waiting participant in (R-LOCK-4). True if it is now in the conference with media.</summary>
    [Alias("Admit")]
    Task<bool> Admit(string participantId);

    /// <summary>Turns one waiting participant away: its call is disconnected (R-LOCK-4, L7872). False if it was not waiting.</summary>
    [Alias("Reject")]
    Task<bool> Reject(string participantId);

    /// <summary>"Start the meeting" from a control-only Host (R-HG-3, R-LOCK-6, AT-25). False if no Host is in.</summary>
    [Alias("StartMeeting")]
    Task<bool> StartMeeting();

    /// <summary>Mute all Guests on or off (R-MUTE-2): every Guest in now, and every Guest who joins later.</summary>
    [Alias("MuteAllGuests")]
    Task MuteAllGuests(bool muted);

    /// <summary>
    /// Make Host / Make Guest (R-HG-8), or a waiting caller who typed the Host PIN from the waiting screen (Q4, L8441),
    /// who then joins. Nobody may make themselves a Guest (L7052): pass who asked. False if refused or not there.
    /// </summary>
    [Alias("ChangeRole")]
    Task<bool> ChangeRole(string participantId, ParticipantRole role, string? requestedBy = null);

    /// <summary>Mutes or unmutes one participant in the conference, e.g. one Guest after mute-all (R-MUTE-2). False if it is not in.</summary>
    [Alias("SetMuted")]
    Task<bool> SetMuted(string participantId, bool muted);

    [Alias("GetStatus")]
    Task<ConferenceStatus> GetStatus();

    /// <summary>
    /// A call's media changed after it joined (a re-INVITE adding or dropping video): the layouts follow (an audio-only
    /// participant becomes an indicator, a new video sender a tile), and a call that now costs more reserves the
    /// difference on its nodes (R-QoS-2; a call that costs less keeps what it holds, as a downspeed does). False when it
    /// is not in the conference or the extra capacity was refused: the call then stays as it was.
    /// </summary>
    [Alias("ChangeCallMedia")]
    Task<bool> ChangeCallMedia(string participantId, CallMedia media);

    /// <summary>
    /// A Host's layout change (<c>/layout n:m</c>, L7089, L7169; the management API's and client API's transform_layout):
    /// every media node of the conference composes in it from now on, and it lasts for this conference instance. False
    /// when no conference is running or it is audio-only.
    /// </summary>
    [Alias("TransformLayout")]
    Task<bool> TransformLayout(LayoutKind layout);

    /// <summary>
    /// A node left the cluster: no live failover yet (R85, L874), so its participants are disconnected and its
    /// backplanes go, and a new intermediary is elected where it was one. Idempotent.
    /// </summary>
    [Alias("NodeFailed")]
    [OneWay]
    Task NodeFailed(string nodeName);
}
