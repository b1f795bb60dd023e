using ConferenceCluster.Sip.Tests.Support;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.Sip.Tests.Sipp;

/// <summary>
/// Our UAS against the real SIPp UAC (DESIGN 7: real SIP peers; anchors 5.1). The handler answers
/// every call with an SDP answer; SIPp checks the 200, ACKs, pauses and hangs up with BYE. Runs over
/// UDP with the system clock, so our retransmissions are real.
/// </summary>
public class SippInteropTests
{
    private static readonly TimeSpan SippTimeout = TimeSpan.FromSeconds(60);

    private static async Task<int> CountAsync<T>(System.Threading.Channels.Channel<T> channel, int expected)
    {
        var count = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (count < expected && await channel.Reader.WaitToReadAsync(limit.Token))
            {
                while (count < expected && channel.Reader.TryRead(out _)) count++;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return count;
    }

    [Fact]
    public async Task Sipp_uac_one_call_INVITE_200_ACK_pause_BYE_succeeds()
    {
        await using var fixture = new EndpointFixture(realClock: true);
        var result = await SippRunner.RunAsync(fixture.Endpoint.Port, "uac", "-m 1 -l 1 -r 1 -d 200", SippTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.True(result.SuccessfulCalls == 1 && result.FailedCalls == 0, result.Describe());
        Assert.Equal(1, await CountAsync(fixture.Handler.Established, 1));
        var (_, reason) = await TestCallHandler.Next(fixture.Handler.Ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, reason);
    }

    [Fact]
    public async Task Sipp_uac_40_calls_20_at_a_time_all_succeed()
    {
        await using var fixture = new EndpointFixture(realClock: true);
        var result = await SippRunner.RunAsync(fixture.Endpoint.Port, "uac", "-l 20 -m 40 -r 20 -d 1000", SippTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.True(result.SuccessfulCalls == 40 && result.FailedCalls == 0, result.Describe());
        Assert.Equal(40, fixture.Handler.InviteCount);
        Assert.Equal(40, await CountAsync(fixture.Handler.Established, 40));
        Assert.Equal(40, await CountAsync(fixture.Handler.Ended, 40));
        Assert.Empty(fixture.Endpoint.Calls);
    }

    [Fact]
    public async Task Sipp_uac_over_TCP_reuses_its_connection_and_all_calls_succeed()
    {
        await using var fixture = new EndpointFixture(realClock: true);
        var result = await SippRunner.RunAsync(fixture.Endpoint.Port, "uac", "-t t1 -l 5 -m 10 -r 10 -d 200", SippTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.True(result.SuccessfulCalls == 10 && result.FailedCalls == 0, result.Describe());
        Assert.Equal(10, await CountAsync(fixture.Handler.Ended, 10));
    }

    [Fact]
    public async Task Sipp_scenario_with_in_dialog_OPTIONS_and_INFO_DTMF_delivers_the_digits()
    {
        await using var fixture = new EndpointFixture(realClock: true);
        var scenario = Path.Combine(AppContext.BaseDirectory, "Sipp", "uac_info_dtmf.xml");
        var result = await SippRunner.RunAsync(fixture.Endpoint.Port, scenario, "-m 1 -l 1 -r 1", SippTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal('4', (await TestCallHandler.Next(fixture.Handler.Digits)).Digit);
        Assert.Equal('#', (await TestCallHandler.Next(fixture.Handler.Digits)).Digit);
        var (_, reason) = await TestCallHandler.Next(fixture.Handler.Ended);
        Assert.Equal(SipCallEndReason.RemoteHangUp, reason);
    }
}
