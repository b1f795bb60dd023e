using System.Threading.Channels;
using ConferenceCluster.Sip.Sdp;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.Support;

/// <summary>A scriptable <see cref="ISipCallHandler"/> that records everything the stack tells it.</summary>
public sealed class TestCallHandler : ISipCallHandler
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);
    private int _invites;

    /// <summary>Decides each INVITE; by default answers the SDP offer.</summary>
    public Func<IncomingCall, CancellationToken, Task<IncomingCallDecision>> Decide { get; set; } =
        (call, _) => Task.FromResult(AnswerOffer(call.Offer));

    public Func<SipCall, ReadOnlyMemory<byte>, CancellationToken, Task<ReInviteDecision>> DecideReInvite { get; set; } =
        (_, offer, _) => Task.FromResult(ReInviteDecision.Accept(AnswerOffer(offer, sessionVersion: 2).Sdp));

    public int InviteCount => Volatile.Read(ref _invites);

    /// <summary>
    /// A handler that never decides: each INVITE waits until the stack cancels its decision (CANCEL, timeout, stop).
    /// <paramref name="cancelled"/> completes when that happens.
    /// </summary>
    public static TestCallHandler NeverDeciding(out Task cancelled)
    {
        var cancellation = new TaskCompletionSource();
        cancelled = cancellation.Task;
        return new TestCallHandler
        {
            Decide = async (_, cancellationToken) =>
            {
                await using var registration = cancellationToken.Register(() => cancellation.TrySetResult());
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return IncomingCallDecision.Reject(500);
            },
        };
    }

    public Channel<IncomingCall> Invites { get; } = Channel.CreateUnbounded<IncomingCall>();
    public Channel<SipCall> Established { get; } = Channel.CreateUnbounded<SipCall>();
    public Channel<(SipCall Call, SipCallEndReason Reason)> Ended { get; } = Channel.CreateUnbounded<(SipCall, SipCallEndReason)>();
    public Channel<DtmfDigit> Digits { get; } = Channel.CreateUnbounded<DtmfDigit>();
    public Channel<ReadOnlyMemory<byte>> ReInviteOffers { get; } = Channel.CreateUnbounded<ReadOnlyMemory<byte>>();

    public Task<IncomingCallDecision> OnInviteAsync(IncomingCall call, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invites);
        Invites.Writer.TryWrite(call);
        return Decide(call, cancellationToken);
    }

    public void OnCallEstablished(SipCall call) => Established.Writer.TryWrite(call);

    public void OnCallEnded(SipCall call, SipCallEndReason reason) => Ended.Writer.TryWrite((call, reason));

    public void OnDtmf(SipCall call, DtmfDigit digit) => Digits.Writer.TryWrite(digit);

    public Task<ReInviteDecision> OnReInviteAsync(SipCall call, ReadOnlyMemory<byte> offer, CancellationToken cancellationToken)
    {
        ReInviteOffers.Writer.TryWrite(offer);
        return DecideReInvite(call, offer, cancellationToken);
    }

    public static async Task<T> Next<T>(Channel<T> channel) => await channel.Reader.ReadAsync().AsTask().WaitAsync(WaitLimit);

    /// <summary>An SDP answer to <paramref name="offer"/> from 127.0.0.1 (RFC 3264), or 488 if none can be made.</summary>
    public static IncomingCallDecision AnswerOffer(ReadOnlyMemory<byte> offer, ulong sessionVersion = 1)
    {
        if (!SdpSessionDescription.TryParse(offer.Span, out var parsed, out _)) return IncomingCallDecision.Reject(488);
        var answer = SdpOfferAnswer.CreateAudioAnswer(parsed!, new SdpAudioOptions
        {
            LocalAddress = "127.0.0.1",
            LocalRtpPort = 41000,
            SessionId = 7,
            SessionVersion = sessionVersion,
        });
        return answer.IsSuccess ? IncomingCallDecision.Accept(answer.Answer!.ToUtf8Bytes()) : IncomingCallDecision.Reject(answer.SipStatusCode);
    }
}
