using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>
/// Bad or unanswerable INVITEs get the answer DESIGN.md §7 promises (404, 488, 503 + Retry-After, 400) and
/// garbage changes nothing; each over real UDP to a real silo.
/// </summary>
public sealed class NegativeAnswerTests : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync() => _silo = await GatewaySilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private static string PcmaOffer => RawSipClient.AudioOffer(30000, "8 101", "8 PCMA/8000", "101 telephone-event/8000");

    [Fact]
    public async Task An_unknown_alias_is_404()
    {
        using var client = new RawSipClient(_silo.SipPort);
        var invite = client.Invite("no-such-room", NewCallId(), PcmaOffer);
        var response = await client.RequestAsync(invite, Answer);
        Assert.NotNull(response);
        Assert.Equal(404, SipText.StatusCode(response));
        await client.AckAsync(invite, response);
        Assert.Equal(0, _silo.Gateway.ActiveCalls);
    }

    [Theory]
    [InlineData("9", "9 G722/8000")]
    [InlineData("3", "3 GSM/8000")]
    public async Task An_offer_with_only_an_unsupported_codec_is_488(string payloadTypes, string rtpmap)
    {
        using var client = new RawSipClient(_silo.SipPort);
        var invite = client.Invite("demo", NewCallId(), RawSipClient.AudioOffer(30000, payloadTypes, rtpmap));
        var response = await client.RequestAsync(invite, Answer);
        Assert.NotNull(response);
        Assert.Equal(488, SipText.StatusCode(response));
        await client.AckAsync(invite, response);
        Assert.Empty((await _silo.ConferenceStatusAsync("demo")).Participants);
    }

    [Fact]
    public async Task An_offer_without_telephone_event_is_answered_not_refused()
    {
        // Regression: with no telephone-event in the offer the media leg was set up with a DTMF clock rate of 0,
        // the media engine threw and the caller got 503 as if the cluster were full.
        using var client = new RawSipClient(_silo.SipPort);
        var invite = client.Invite("demo", NewCallId(), RawSipClient.AudioOffer(30000, "0", "0 PCMU/8000"));
        var response = await client.RequestAsync(invite, Answer);
        Assert.NotNull(response);
        Assert.True(SipText.StatusCode(response) == 200, response + "\n--- silo\n" + _silo.Logs.Tail());
        Assert.Equal(0, SipText.AudioOf(response).PayloadType);
        await client.AckAsync(invite, response);
        Assert.Equal(200, SipText.StatusCode(await client.ByeAsync(invite, response, Answer) ?? ""));
    }

    [Fact]
    public async Task An_invite_without_an_offer_is_488()
    {
        using var client = new RawSipClient(_silo.SipPort);
        var invite = client.Invite("demo", NewCallId(), sdp: null);
        var response = await client.RequestAsync(invite, Answer);
        Assert.NotNull(response);
        Assert.Equal(488, SipText.StatusCode(response));
        await client.AckAsync(invite, response);
    }

    [Theory]
    [InlineData("CSeq")]
    [InlineData("Call-ID")]
    [InlineData("From")]
    public async Task A_malformed_invite_is_400_and_joins_nobody(string missingHeader)
    {
        using var client = new RawSipClient(_silo.SipPort);
        var callId = NewCallId();
        var invite = client.Invite("demo", callId, PcmaOffer, omit: missingHeader);
        await client.SendAsync(invite);
        // Without a Call-ID or CSeq to match on, the first response to this socket is the one.
        var response = await client.ReceiveAnyAsync(Answer);
        Assert.NotNull(response);
        Assert.Equal(400, SipText.StatusCode(response));
        Assert.Contains(SipText.Header(invite, "Via")!.Split(';')[1], SipText.Header(response, "Via")); // same branch: our transaction
        Assert.Equal(0, _silo.Gateway.ActiveCalls);
        Assert.Empty((await _silo.ConferenceStatusAsync("demo")).Participants);
    }

    [Fact]
    public async Task A_garbage_datagram_gets_no_answer_and_changes_nothing()
    {
        using var client = new RawSipClient(_silo.SipPort);
        var garbage = new byte[700];
        new Random(7).NextBytes(garbage);
        await client.SendAsync(garbage);
        await client.SendAsync("this is not SIP\r\n\r\n");
        await client.SendAsync("INVITE\r\n\r\n");
        Assert.Null(await client.ReceiveAnyAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(0, _silo.Gateway.ActiveCalls);
        Assert.Empty((await _silo.ConferenceStatusAsync("demo")).Participants);

        // The same socket and the same gateway still make a call: 200 with an answer, ACK, BYE, 200.
        var invite = client.Invite("demo", NewCallId(), PcmaOffer);
        var ok = await client.RequestAsync(invite, Answer);
        Assert.NotNull(ok);
        Assert.Equal(200, SipText.StatusCode(ok));
        Assert.Equal(8, SipText.AudioOf(ok).PayloadType);
        await client.AckAsync(invite, ok);
        Assert.Single((await _silo.ConferenceStatusAsync("demo")).Participants);
        var byeOk = await client.ByeAsync(invite, ok, Answer);
        Assert.NotNull(byeOk);
        Assert.Equal(200, SipText.StatusCode(byeOk));
        await Eventually(() => _silo.Gateway.ActiveCalls == 0, "the call to end");
    }

    private static string NewCallId() => $"{Guid.NewGuid():N}@127.0.0.1";

    internal static async Task Eventually(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (timeout.IsCancellationRequested) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(20);
        }
    }
}

/// <summary>
/// A silo with room for exactly one call: the second call is refused with 503 and a Retry-After (a full node is not a
/// fault), and the refused call leaves nothing behind in the conference.
/// </summary>
public abstract class OneCallSiloTests(IDictionary<string, string?> settings) : IAsyncLifetime
{
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync() => _silo = await GatewaySilo.StartAsync(settings);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task A_call_beyond_capacity_is_503_with_retry_after()
    {
        var offer = RawSipClient.AudioOffer(30000, "8", "8 PCMA/8000");
        using var first = new RawSipClient(_silo.SipPort);
        var firstInvite = first.Invite("demo", $"{Guid.NewGuid():N}@127.0.0.1", offer);
        var firstAnswer = await first.RequestAsync(firstInvite, TimeSpan.FromSeconds(10));
        Assert.NotNull(firstAnswer);
        Assert.True(SipText.StatusCode(firstAnswer) == 200, firstAnswer + "\n--- silo\n" + _silo.Logs.Tail());
        await first.AckAsync(firstInvite, firstAnswer);

        using var second = new RawSipClient(_silo.SipPort);
        var secondInvite = second.Invite("demo", $"{Guid.NewGuid():N}@127.0.0.1", offer);
        var refused = await second.RequestAsync(secondInvite, TimeSpan.FromSeconds(10));
        Assert.NotNull(refused);
        Assert.True(SipText.StatusCode(refused) == 503, refused + "\n--- silo\n" + _silo.Logs.Tail());
        var retryAfter = SipText.Header(refused, "Retry-After");
        Assert.NotNull(retryAfter);
        Assert.True(int.TryParse(retryAfter.Split(';')[0].Trim(), out var seconds) && seconds > 0, $"Retry-After: {retryAfter}");
        await second.AckAsync(secondInvite, refused);
        Assert.Single((await _silo.ConferenceStatusAsync("demo")).Participants);

        Assert.Equal(200, SipText.StatusCode(await first.ByeAsync(firstInvite, firstAnswer, TimeSpan.FromSeconds(10)) ?? ""));
    }
}

/// <summary>Capacity of one audio call (R-CAP): the conference grain refuses the second call.</summary>
public sealed class NegativeCapacityTests() : OneCallSiloTests(new Dictionary<string, string?> { ["Silo:Capacity:AudioCalls"] = "1" });

/// <summary>
/// A media port range of one RTP/RTCP pair: the second call is placed but its media leg finds no port. That is a full
/// node too, so 503 + Retry-After, not 500 (regression: the load tester saw 500s when a range ran out).
/// </summary>
public sealed class MediaPortsExhaustedTests() : OneCallSiloTests(new Dictionary<string, string?> { ["Silo:Ports:MediaRange"] = "47990-47991" });
