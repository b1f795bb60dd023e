using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>A participant of the conference as an event stream knows it.</summary>
internal sealed record RosterEntry(
    string ParticipantId, string? DisplayName, ParticipantRole Role, CallLeg? Leg, bool IsMuted, DateTimeOffset ConnectTime, string MediaNode)
{
    public static RosterEntry From(ParticipantStatus p) => new(p.ParticipantId, p.DisplayName, p.Role, p.Leg, p.Muted, p.JoinedAt, p.MediaNode);

    public static RosterEntry From(ParticipantEventInfo p) => new(p.ParticipantId, p.DisplayName, p.Role, p.Leg, p.IsMuted, p.ConnectTime, p.MediaNode);

    /// <summary>Pexip's participant object (<c>participant_create</c>/<c>participant_update</c>); flags are "YES"/"NO" strings as Pexip sends them.</summary>
    public ParticipantObject ToJson()
    {
        var protocol = Protocol(Leg?.Protocol);
        var name = DisplayName ?? Leg?.Alias ?? ParticipantId;
        return new ParticipantObject(
            Uuid: ParticipantId,
            DisplayName: name,
            OverlayText: name,
            Role: Role == ParticipantRole.Host ? "chair" : "guest",
            ServiceType: "conference",
            Protocol: protocol,
            CallDirection: "in",
            IsMuted: YesNo(IsMuted),
            IsPresenting: "NO",
            IsVideoCall: "NO",
            IsAudioOnlyCall: "YES",
            PresentationSupported: "NO",
            FeccSupported: "NO",
            MuteSupported: "YES",
            TransferSupported: "NO",
            DisconnectSupported: "YES",
            // Browsers' media is always DTLS-SRTP; our SIP legs are plain RTP.
            Encryption: protocol == "webrtc" ? "On" : "Off",
            StartTime: ConnectTime.ToUnixTimeMilliseconds() / 1000.0,
            BuzzTime: 0,
            Spotlight: 0,
            CallTag: "",
            Uri: Leg?.Alias ?? "",
            LocalAlias: Leg?.Alias ?? "",
            Vendor: "",
            HasMedia: true,
            IsVideoMuted: false,
            IsClientMuted: "NO",
            ApiUrl: "");
    }

    /// <summary>Pexip's protocol names: "webrtc" for a browser, "sip" for SIP/UDP and SIP/TCP.</summary>
    private static string Protocol(string? leg) => leg is null ? "api" : leg.Split('/')[0].ToLowerInvariant();

    private static string YesNo(bool value) => value ? "YES" : "NO";
}

/// <summary>Pexip's participant object, as its SDKs read it (participant_create.json).</summary>
public sealed record ParticipantObject(
    string Uuid,
    string DisplayName,
    string OverlayText,
    string Role,
    string ServiceType,
    string Protocol,
    string CallDirection,
    string IsMuted,
    string IsPresenting,
    string IsVideoCall,
    string IsAudioOnlyCall,
    string PresentationSupported,
    string FeccSupported,
    string MuteSupported,
    string TransferSupported,
    string DisconnectSupported,
    string Encryption,
    double StartTime,
    long BuzzTime,
    long Spotlight,
    string CallTag,
    string Uri,
    string LocalAlias,
    string Vendor,
    bool HasMedia,
    bool IsVideoMuted,
    string IsClientMuted,
    string ApiUrl);

/// <summary><c>conference_update</c>.</summary>
public sealed record ConferenceUpdateObject(bool Locked, bool Started, bool GuestsMuted, bool AllMuted, bool PresentationAllowed, bool DirectMedia, bool GuestsCanUnmute);

/// <summary>One entry of <c>stage</c>: who is on stage, in order, and whether they speak (vad 100) or not (0).</summary>
public sealed record StageEntry(string ParticipantUuid, int StageIndex, int Vad);

/// <summary><c>participant_delete</c>.</summary>
public sealed record ParticipantDeleteObject(string Uuid);

/// <summary><c>disconnect</c> (this participant is gone) and <c>call_disconnected</c> (its media call is).</summary>
public sealed record DisconnectObject(string Reason);

/// <param name="Reoffer">True when the participant is still in the conference and should make a new call (its media moved).</param>
public sealed record CallDisconnectedObject(string CallUuid, string Reason, bool Reoffer);
