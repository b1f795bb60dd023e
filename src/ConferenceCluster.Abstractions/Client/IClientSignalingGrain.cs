using ConferenceCluster.Conferencing.Grains.Interfaces;

namespace ConferenceCluster.Gateway.Client;

/// <summary>A client-API (browser) participant as its signalling node holds it.</summary>
/// <param name="Role">The role it joined with (PIN rules, R-PIN-2); the conference's own roster has the current one.</param>
/// <param name="Waiting">Waiting for the host (R-HG-1, R-LOCK-2/3): no media node yet, so no media call.</param>
/// <param name="CallId">The current media call (<c>calls</c>), if any.</param>
/// <param name="ExpiresAt">When the participant's latest token expires; without a refresh it is then disconnected.</param>
[GenerateSerializer, Immutable, Alias("cc.ClientParticipantInfo")]
public sealed record ClientParticipantInfo(
    string ParticipantId, string Conference, string? DisplayName, ParticipantRole Role, bool Waiting, string? CallId, DateTimeOffset ExpiresAt);

[GenerateSerializer, Alias("cc.ClientCallOutcome")]
public enum ClientCallOutcome
{
    /// <summary>The media node answered the offer: <see cref="ClientCallResult.CallId"/> and <see cref="ClientCallResult.AnswerSdp"/>.</summary>
    Answered,
    /// <summary>The offer cannot be answered; <see cref="ClientCallResult.Error"/> says why (a 400).</summary>
    BadOffer,
    /// <summary>The participant waits for the host: it gets media once admitted (its <c>participant_create</c> event).</summary>
    Waiting,
    /// <summary>The participant is gone (released, disconnected, expired): the token is worthless.</summary>
    Gone,
    /// <summary>The media node could not take the leg now (it failed, or has no port left): try again.</summary>
    MediaUnavailable,
}

[GenerateSerializer, Immutable, Alias("cc.ClientCallResult")]
public sealed record ClientCallResult(ClientCallOutcome Outcome, string? CallId = null, string? AnswerSdp = null, string? Error = null);

/// <summary>
/// The client-API participants signalled by one silo (key = silo name, on that silo), as any silo reaches them: a
/// request carrying a token may arrive at any silo, which checks the token's signature itself and asks the signalling
/// node named in it whether the participant still exists, and for what only that node can do (its media call).
/// </summary>
[Alias("cc.IClientSignalingGrain")]
public interface IClientSignalingGrain : IGrainWithStringKey
{
    /// <summary>The participant, or null once it is gone (released, disconnected, expired, its conference ended).</summary>
    [Alias("GetParticipant")]
    Task<ClientParticipantInfo?> GetParticipant(string participantId);

    /// <summary>A refreshed token expires at <paramref name="expiresAt"/>; null if the participant is gone.</summary>
    [Alias("Refresh")]
    Task<ClientParticipantInfo?> Refresh(string participantId, DateTimeOffset expiresAt);

    /// <summary>The participant's media call from its SDP offer (a new call replaces the previous one).</summary>
    [Alias("Call")]
    Task<ClientCallResult> Call(string participantId, string offerSdp);

    /// <summary>The browser applied the answer. False if <paramref name="callId"/> is not the participant's current call.</summary>
    [Alias("Ack")]
    Task<bool> Ack(string participantId, string callId);

    /// <summary>Ends the media call only; the participant stays in the conference. False if it is not the current call.</summary>
    [Alias("DisconnectCall")]
    Task<bool> DisconnectCall(string participantId, string callId);

    /// <summary>The participant leaves (release_token, or its own disconnect). False if it was already gone.</summary>
    [Alias("Release")]
    Task<bool> Release(string participantId);
}
