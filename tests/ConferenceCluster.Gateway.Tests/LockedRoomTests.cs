using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Gateway.Tests;

/// <summary>
/// A locked room without PINs holds every new SIP caller (R-LOCK-2, L7813): the call is answered onto a waiting port of
/// its signalling node, not refused, and moves into the conference by re-INVITE when the room is unlocked.
/// </summary>
public sealed class LockedRoomTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_caller_to_a_locked_room_without_pins_waits_then_joins_on_unlock_L7813()
    {
        await using var silo = await GatewaySilo.StartAsync();
        await silo.CreateRoomAsync("locked", GatewayCluster.Alias);
        await using var first = await ToneCaller.CallAsync("first", 700, silo.SipPort);
        var conference = silo.Grains.GetGrain<IConferenceGrain>("locked");
        Assert.True(await conference.Lock());

        // Answered 200 (CallAsync asserts it) and waiting, not in the conference.
        ToneCaller late;
        try
        {
            late = await ToneCaller.CallAsync("late", 1100, silo.SipPort);
        }
        catch
        {
            output.WriteLine(silo.Logs.Tail(40));
            throw;
        }
        await using var _ = late;
        var status = await conference.GetStatus();
        Assert.Single(status.Participants);
        var waiting = Assert.Single(status.Waiting ?? []);
        Assert.Equal(ParticipantRole.Host, waiting.Role);

        Assert.True(await conference.Unlock());
        Assert.NotNull(await late.AcceptReInviteAsync(TimeSpan.FromSeconds(10)));
        status = await conference.GetStatus();
        Assert.Equal(2, status.Participants.Count);
        Assert.Empty(status.Waiting ?? []);

        // Both now hear each other through the conference.
        var since = DateTime.UtcNow;
        await GatewayCluster.WaitUntilAsync(() => late.LevelOf(first.Frequency, since, DateTime.UtcNow) > ToneCaller.Amplitude / 2
            && first.LevelOf(late.Frequency, since, DateTime.UtcNow) > ToneCaller.Amplitude / 2, "the two callers to hear each other");
    }
}
