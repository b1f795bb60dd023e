using System.Collections.Concurrent;
using System.Net;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.LoadTest.Participants;

/// <summary>
/// The one SIP user agent every participant of a run calls through: our own stack's <see cref="SipEndpoint"/> on
/// one port, placing calls and routing what arrives inside them (re-INVITEs moving the media, INFO digits, BYE) to
/// the participant owning the call. Incoming new calls are declined: the load tester is never called.
/// </summary>
public sealed class LoadTestSipAgent : ISipCallHandler, IAsyncDisposable
{
    /// <summary>How long a re-INVITE may wait for its call to be attached (it can overtake InviteAsync's return).</summary>
    private static readonly TimeSpan AttachWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, SimulatedParticipant> _byCallId = new(StringComparer.Ordinal);
    private readonly SipEndpoint _endpoint;

    public LoadTestSipAgent(IPAddress bindAddress, string? advertisedHost, int maxCalls, ILoggerFactory? loggerFactory = null)
    {
        _endpoint = new SipEndpoint(this, new SipEndpointOptions
        {
            Transport = new SipTransportOptions { BindAddress = bindAddress, Port = 0, AdvertisedHost = advertisedHost, EnableTcp = false },
            MaxCalls = maxCalls,
            ProductName = "ConferenceCluster.LoadTest",
        }, TimeProvider.System, loggerFactory);
        _endpoint.Start();
    }

    public int Port => _endpoint.Port;

    public Task<OutgoingCallResult> InviteAsync(OutgoingCallRequest request, CancellationToken cancellationToken) =>
        _endpoint.InviteAsync(request, cancellationToken);

    public void Attach(SipCall call, SimulatedParticipant participant) => _byCallId[call.CallId] = participant;

    public void Detach(SipCall call) => _byCallId.TryRemove(call.CallId, out _);

    public Task<IncomingCallDecision> OnInviteAsync(IncomingCall call, CancellationToken cancellationToken) =>
        Task.FromResult(IncomingCallDecision.Reject(603, "Decline (a load tester takes no calls)"));

    public async Task<ReInviteDecision> OnReInviteAsync(SipCall call, ReadOnlyMemory<byte> offer, CancellationToken cancellationToken)
    {
        var participant = await FindAsync(call, cancellationToken).ConfigureAwait(false);
        return participant?.OnReInvite(offer) ?? ReInviteDecision.Reject(481);
    }

    public void OnCallEnded(SipCall call, SipCallEndReason reason)
    {
        if (_byCallId.TryGetValue(call.CallId, out var participant)) participant.OnCallEnded(call, reason);
    }

    private async Task<SimulatedParticipant?> FindAsync(SipCall call, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + AttachWait;
        while (true)
        {
            if (_byCallId.TryGetValue(call.CallId, out var participant)) return participant;
            if (DateTime.UtcNow >= deadline) return null;
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _endpoint.DisposeAsync();
}
