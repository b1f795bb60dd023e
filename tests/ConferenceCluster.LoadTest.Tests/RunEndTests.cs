using System.Net;
using ConferenceCluster.LoadTest.Running;
using ConferenceCluster.Sip.Transport;
using ConferenceCluster.Sip.UserAgent;

namespace ConferenceCluster.LoadTest.Tests;

/// <summary>What the report makes of INVITEs the run's end catches unanswered.</summary>
public sealed class RunEndTests
{
    /// <summary>A SIP server that rings for ever: 100 Trying, then nothing until the caller CANCELs (487).</summary>
    private sealed class NeverAnswers : ISipCallHandler
    {
        public async Task<IncomingCallDecision> OnInviteAsync(IncomingCall call, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return IncomingCallDecision.Reject(500);
        }
    }

    [Fact]
    public async Task Invites_unanswered_when_the_run_ends_are_cancelled_and_counted_apart_not_as_failed_joins()
    {
        await using var server = new SipEndpoint(new NeverAnswers(), new SipEndpointOptions
        {
            Transport = new SipTransportOptions { BindAddress = IPAddress.Loopback, Port = 0, EnableTcp = false },
        });
        server.Start();
        var options = new LoadTestOptions
        {
            Profile = LoadProfile.Ramp,
            Participants = 3,
            Conferences = 1,
            Ramp = TimeSpan.FromSeconds(1),
            Hold = TimeSpan.FromSeconds(2),
            Duration = TimeSpan.FromSeconds(10),
            MaxParticipants = 3,
            Targets = [new SipTarget("default", new IPEndPoint(IPAddress.Loopback, server.Port))],
            AliasFormat = "room{0}",
        };

        var report = await new LoadTestRunner(options).RunAsync();

        Assert.Equal(3, report.CancelledAtRunEnd);
        Assert.Equal(0, report.JoinAttempts);
        Assert.Equal(0, report.Failed);
        Assert.Empty(report.FailuresByStatus);
    }
}
