using System.Collections.Concurrent;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Services;
using ConferenceCluster.Conferencing.Services.Prompts;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>What the call legs of every silo were told, as the SIP gateway (the real <see cref="ICallLegObserver"/>) would hear it.</summary>
public sealed class RecordingCallLegObserver : ICallLegObserver
{
    public sealed record Event(string Kind, string Participant, string Conference, object? Detail);

    private readonly ConcurrentQueue<Event> _events = new();

    public IReadOnlyList<Event> Events => _events.ToList();

    public IEnumerable<Event> Of(string participant, string kind) => Events.Where(e => e.Participant == participant && e.Kind == kind);

    public void OnDisconnectedByConference(string participantId, string conference, string reason) => _events.Enqueue(new("disconnected", participantId, conference, reason));

    public void OnAdmitted(string participantId, string conference, JoinResult result) => _events.Enqueue(new("admitted", participantId, conference, result));

    public void OnPrompt(string participantId, string conference, string promptId) => _events.Enqueue(new("prompt", participantId, conference, promptId));

    public void OnMuted(string participantId, string conference, bool muted) => _events.Enqueue(new("muted", participantId, conference, muted));

    public void OnMediaMoved(string participantId, string conference, JoinResult result) => _events.Enqueue(new("moved", participantId, conference, result));
}

/// <summary>
/// The conference services through the grains, on a three-silo cluster: the Host/Guest lobby (R-HG), lock (R-LOCK),
/// mute all Guests (R-MUTE), DTMF control (R-DTMF). Seed references are to shared/spec/seed-conference-services.md.
/// Timers are shortened through <see cref="ConferencingOptions.HostedConference"/>; the tests wait for what the call
/// legs are told and never assert how long anything took.
/// </summary>
public class LobbyGrainTests
{
    private const string Room = "meet.hosted@example.com";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly SystemLocation[] Locations = [new("Lab")];

    private static readonly NodeSpec[] Nodes =
        [NodeSpec.Transcoding("Lab01", "Lab", hdCalls: 10), NodeSpec.Transcoding("Lab02", "Lab", hdCalls: 10), NodeSpec.Transcoding("Lab03", "Lab", hdCalls: 10)];

    /// <summary>R-PIN-2 row 4: Host PIN and Guest PIN, Guests allowed.</summary>
    private static VirtualMeetingRoom HostedRoom(VirtualMeetingRoom room) => room with { HostPin = "1234", AllowGuests = true, GuestPin = "5678" };

    private readonly RecordingCallLegObserver _legs = new();

    private Task<ConferencingTestCluster> StartAsync(
        Func<HostedConferenceOptions, HostedConferenceOptions>? timers = null, NodeSpec[]? nodes = null, Func<VirtualMeetingRoom, VirtualMeetingRoom>? room = null) =>
        ConferencingTestCluster.StartAsync(
            o => o.HostedConference = global =>
            {
                // The seed's 30 s / 15 s prompt cadence (L6938) and 60 s Guests-only timeout (L7401), shortened; 900 s waiting timeout kept.
                var seed = HostedConferenceOptions.From(global) with
                {
                    AudioWaitingPromptInterval = TimeSpan.FromMilliseconds(150),
                    VideoWaitingPromptInterval = TimeSpan.FromMilliseconds(300),
                    GuestsOnlyTimeout = TimeSpan.FromMilliseconds(400),
                };
                return timers?.Invoke(seed) ?? seed;
            },
            services => services.AddSingleton<ICallLegObserver>(_legs),
            Locations, nodes ?? Nodes, room ?? HostedRoom, Room);

    private static Task<JoinResult> Call(ConferencingTestCluster cluster, string id, string node, ParticipantRole role, CallMedia? media = null, CallKind? kind = null) =>
        cluster.GrainsOn(node).GetGrain<IParticipantGrain>(id).Dial(new CallRequest(Room, media ?? CallMedia.Audio, role, id, kind));

    private async Task<RecordingCallLegObserver.Event> EventuallyAsync(string participant, string kind, Func<RecordingCallLegObserver.Event, bool>? match = null)
    {
        await ConferencingTestCluster.WaitUntilAsync(() => _legs.Of(participant, kind).Any(e => match?.Invoke(e) ?? true), Patience, $"{participant}: {kind}");
        return _legs.Of(participant, kind).First(e => match?.Invoke(e) ?? true);
    }

    private static async Task<long> TotalLoadAsync(ConferencingTestCluster cluster, NodeSpec[]? nodes = null)
    {
        var loads = await Task.WhenAll((nodes ?? Nodes).Select(n => cluster.Node(n.Name).GetStatus()));
        return loads.Sum(l => l.Load.Value);
    }

    [Fact]
    public async Task R_HG_1_and_3_a_Guest_before_any_Host_waits_without_media_and_is_admitted_with_media_when_the_first_Host_joins_AT_21()
    {
        await using var cluster = await StartAsync();

        var guest = await Call(cluster, "guest", "Lab02", ParticipantRole.Guest);
        Assert.True(guest.Accepted);
        Assert.True(guest.Waiting);
        Assert.Null(guest.MediaNode);
        Assert.Equal(0, await TotalLoadAsync(cluster)); // waiting holds no capacity
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Empty(status.Participants);
        var waiting = Assert.Single(status.Waiting!);
        Assert.Equal(("guest", ParticipantRole.Guest, "Lab02"), (waiting.ParticipantId, waiting.Role, waiting.SignalingNode));
        Assert.True((await cluster.GrainsOn("Lab02").GetGrain<IParticipantGrain>("guest").GetStatus()).Waiting);

        // The waiting message, repeated for an audio-only caller (R-HG-1, L6938): conf-waitforleader with a Guest PIN (L8440).
        await ConferencingTestCluster.WaitUntilAsync(() => _legs.Of("guest", "prompt").Count() >= 3, Patience, "the waiting prompt three times");
        Assert.All(_legs.Of("guest", "prompt"), e => Assert.Equal(PromptCatalogue.WaitForLeader, e.Detail));

        var host = await Call(cluster, "host", "Lab01", ParticipantRole.Host, CallMedia.Video);
        Assert.True(host is { Accepted: true, Waiting: false, MediaNode: not null });

        var admitted = (JoinResult)(await EventuallyAsync("guest", "admitted")).Detail!;
        Assert.True(admitted is { Accepted: true, Waiting: false, MediaNode: not null, SignalingNode: "Lab02" });
        var leg = await cluster.GrainsOn("Lab02").GetGrain<IParticipantGrain>("guest").GetStatus();
        Assert.Equal((CallLegState.Connected, false, admitted.MediaNode), (leg.State, leg.Waiting, leg.MediaNode));
        status = await cluster.Conference(Room).GetStatus();
        Assert.Equal(["guest", "host"], status.Participants.Select(p => p.ParticipantId).Order());
        Assert.Empty(status.Waiting!);
        Assert.True(await TotalLoadAsync(cluster) > 0);
    }

    [Fact]
    public async Task R_LOCK_3_locked_new_Guest_waits_and_Hosts_are_alerted_a_Host_PIN_caller_joins_unlock_lets_the_Guest_in_AT_29_AT_30()
    {
        await using var cluster = await StartAsync();
        await Call(cluster, "host", "Lab01", ParticipantRole.Host);
        Assert.True(await cluster.Conference(Room).Lock());
        Assert.True((await cluster.Conference(Room).GetStatus()).IsLocked);

        var guest = await Call(cluster, "late-guest", "Lab03", ParticipantRole.Guest);
        Assert.True(guest is { Accepted: true, Waiting: true, MediaNode: null });
        // Every Host is alerted, the knock (L7825, [xref L8427]).
        await EventuallyAsync("host", "prompt", e => (string)e.Detail! == PromptCatalogue.ParticipantLockedOut);
        // A caller with the Host PIN is not held by the lock (L7823).
        Assert.False((await Call(cluster, "second-host", "Lab02", ParticipantRole.Host)).Waiting);

        Assert.True(await cluster.Conference(Room).Unlock());
        var admitted = (JoinResult)(await EventuallyAsync("late-guest", "admitted")).Detail!;
        Assert.NotNull(admitted.MediaNode);
        var status = await cluster.Conference(Room).GetStatus();
        Assert.False(status.IsLocked);
        Assert.Equal(3, status.Participants.Count);
    }

    [Fact]
    public async Task R_LOCK_2_without_a_Host_PIN_the_lock_holds_every_caller_and_star_7_from_a_Host_toggles_it_AT_31()
    {
        await using var cluster = await StartAsync(room: r => r); // no PINs: everyone is a Host (R-PIN-2 row 1)
        await Call(cluster, "first", "Lab01", ParticipantRole.Host);
        await cluster.Conference(Room).Dtmf("first", "*7");
        Assert.True((await cluster.Conference(Room).GetStatus()).IsLocked);

        // Asking for Guest changes nothing in a room without Guests: a Host, held by the lock like every caller.
        var second = await Call(cluster, "second", "Lab02", ParticipantRole.Guest);
        Assert.True(second.Waiting);
        Assert.Equal(ParticipantRole.Host, Assert.Single((await cluster.Conference(Room).GetStatus()).Waiting!).Role);

        await cluster.Conference(Room).Dtmf("first", "*7");
        await EventuallyAsync("second", "admitted");
        Assert.False((await cluster.Conference(Room).GetStatus()).IsLocked);
    }

    [Fact]
    public async Task R_DTMF_hash_hash_from_a_Guest_does_nothing_from_a_Host_ends_the_conference_and_every_leg_is_told_AT_65()
    {
        await using var cluster = await StartAsync();
        await Call(cluster, "host", "Lab01", ParticipantRole.Host);
        await Call(cluster, "guest", "Lab02", ParticipantRole.Guest);
        await cluster.Conference(Room).Lock();
        Assert.True((await Call(cluster, "waiting-guest", "Lab03", ParticipantRole.Guest)).Waiting);

        // A Guest's *7, *5 or ## has no effect (AT-65).
        await cluster.Conference(Room).Dtmf("guest", "##");
        await cluster.Conference(Room).Dtmf("guest", "*7");
        await cluster.Conference(Room).Dtmf("guest", "*5");
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Equal((2, 1, true, false), (status.Participants.Count, status.Waiting!.Count, status.IsLocked, status.GuestsMuted));

        // ## from a Host: everyone, the Host included and the waiting Guest too, is disconnected (L8151, R-LOCK-4).
        await cluster.Conference(Room).Dtmf("host", "##");
        foreach (var leg in new[] { "host", "guest", "waiting-guest" })
        {
            var ended = await EventuallyAsync(leg, "disconnected");
            Assert.Equal(DisconnectReason.EndedByDtmf.Text, ended.Detail);
        }
        status = await cluster.Conference(Room).GetStatus();
        Assert.Equal((0, 0, (DateTimeOffset?)null), (status.Participants.Count, status.Waiting!.Count, status.StartedAt));
        Assert.Equal(0, await TotalLoadAsync(cluster));
        var hostLeg = await cluster.GrainsOn("Lab01").GetGrain<IParticipantGrain>("host").GetStatus();
        Assert.Equal((CallLegState.Disconnected, DisconnectReason.EndedByDtmf.Text), (hostLeg.State, hostLeg.DisconnectReason));
    }

    [Fact]
    public async Task R_MUTE_2_star_5_mutes_the_Guests_present_and_every_later_Guest_and_star_5_again_unmutes_AT_33()
    {
        await using var cluster = await StartAsync();
        await Call(cluster, "host", "Lab01", ParticipantRole.Host);
        await Call(cluster, "guest1", "Lab02", ParticipantRole.Guest);

        await cluster.Conference(Room).Dtmf("host", "*5");
        Assert.True((bool)(await EventuallyAsync("guest1", "muted")).Detail!);
        Assert.Empty(_legs.Of("host", "muted")); // Hosts are not Guests

        // A Guest who joins later is muted on entry.
        Assert.False((await Call(cluster, "guest2", "Lab03", ParticipantRole.Guest)).Waiting);
        Assert.True((bool)(await EventuallyAsync("guest2", "muted")).Detail!);
        var status = await cluster.Conference(Room).GetStatus();
        Assert.True(status.GuestsMuted);
        Assert.Equal([("guest1", true), ("guest2", true), ("host", false)],
            status.Participants.Select(p => (p.ParticipantId, p.Muted)).OrderBy(p => p.ParticipantId));

        // A Host may still unmute one Guest (R-MUTE-2); *5 again unmutes all.
        Assert.True(await cluster.Conference(Room).SetMuted("guest2", false));
        await cluster.Conference(Room).Dtmf("host", "*5");
        await EventuallyAsync("guest1", "muted", e => !(bool)e.Detail!);
        Assert.False((await cluster.Conference(Room).GetStatus()).GuestsMuted);
    }

    [Fact]
    public async Task R_HG_5_after_the_last_Host_leaves_the_Guests_hear_it_and_are_disconnected_at_the_Guests_only_timeout_AT_24()
    {
        await using var cluster = await StartAsync();
        await Call(cluster, "host", "Lab01", ParticipantRole.Host);
        await Call(cluster, "guest1", "Lab02", ParticipantRole.Guest);
        await Call(cluster, "guest2", "Lab03", ParticipantRole.Guest, CallMedia.Video, CallKind.Video);

        await cluster.GrainsOn("Lab01").GetGrain<IParticipantGrain>("host").Hangup();
        foreach (var guest in new[] { "guest1", "guest2" })
        {
            // [xref L8423] "The Host has left the conference. The conference is about to end."
            await EventuallyAsync(guest, "prompt", e => (string)e.Detail! == PromptCatalogue.LeaderHasLeft);
            Assert.Equal(DisconnectReason.AllHostsDeparted.Text, (await EventuallyAsync(guest, "disconnected")).Detail);
        }
        Assert.Empty((await cluster.Conference(Room).GetStatus()).Participants);
        Assert.Equal(0, await TotalLoadAsync(cluster));
    }

    [Fact]
    public async Task R_LOCK_4_reject_disconnects_the_waiting_call_and_admit_lets_the_other_in_AT_30()
    {
        await using var cluster = await StartAsync();
        await Call(cluster, "host", "Lab01", ParticipantRole.Host);
        await cluster.Conference(Room).Lock();
        await Call(cluster, "guest1", "Lab02", ParticipantRole.Guest);
        await Call(cluster, "guest2", "Lab03", ParticipantRole.Guest);

        Assert.True(await cluster.Conference(Room).Admit("guest1"));
        Assert.NotNull(((JoinResult)(await EventuallyAsync("guest1", "admitted")).Detail!).MediaNode);

        Assert.True(await cluster.Conference(Room).Reject("guest2"));
        Assert.Equal(DisconnectReason.RejectedByHost.Text, (await EventuallyAsync("guest2", "disconnected")).Detail);
        Assert.False(await cluster.Conference(Room).Reject("guest2")); // no longer waiting
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Equal((2, 0), (status.Participants.Count, status.Waiting!.Count));
    }

    [Fact]
    public async Task R_HG_2_a_waiting_Guest_is_disconnected_at_the_Waiting_for_Host_timeout_AT_22()
    {
        await using var cluster = await StartAsync(t => t with { WaitingForHostTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.True((await Call(cluster, "guest", "Lab02", ParticipantRole.Guest)).Waiting);
        Assert.Equal(DisconnectReason.WaitingForHostTimedOut.Text, (await EventuallyAsync("guest", "disconnected")).Detail);
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Equal((0, (DateTimeOffset?)null), (status.Waiting!.Count, status.StartedAt));
    }

    [Fact]
    public async Task A_waiting_Guest_let_in_when_there_is_no_capacity_is_disconnected_with_capacity_exceeded_L2054()
    {
        // One node (so no backplane reservation, L1199) with room for exactly one HD call: the Host's.
        NodeSpec[] nodes = [NodeSpec.Transcoding("Solo01", "Lab", hdCalls: 1)];
        await using var cluster = await StartAsync(nodes: nodes);
        Assert.True((await Call(cluster, "guest", "Solo01", ParticipantRole.Guest)).Waiting);
        Assert.False((await Call(cluster, "host", "Solo01", ParticipantRole.Host, CallMedia.Video)).Waiting);

        Assert.Equal("capacity exceeded", (await EventuallyAsync("guest", "disconnected")).Detail);
        Assert.Empty(_legs.Of("guest", "admitted"));
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Equal(("host", 0), (Assert.Single(status.Participants).ParticipantId, status.Waiting!.Count));
        Assert.Equal(CapacityUnits.FromHdCalls(1).Value, await TotalLoadAsync(cluster, nodes));
    }

    [Fact]
    public async Task A_waiting_caller_who_hangs_up_leaves_the_lobby_and_the_instance_ends()
    {
        await using var cluster = await StartAsync();
        Assert.True((await Call(cluster, "guest", "Lab02", ParticipantRole.Guest)).Waiting);
        await cluster.GrainsOn("Lab02").GetGrain<IParticipantGrain>("guest").Hangup();
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Equal((0, (DateTimeOffset?)null), (status.Waiting!.Count, status.StartedAt));
        Assert.Empty(_legs.Of("guest", "disconnected")); // it hung up itself
    }

    [Fact]
    public async Task Q4_a_waiting_caller_who_types_the_Host_PIN_is_made_Host_and_joins_and_a_Guest_cannot_demote_itself_L7052()
    {
        await using var cluster = await StartAsync();
        Assert.True((await Call(cluster, "late-host", "Lab02", ParticipantRole.Guest)).Waiting);
        Assert.False(await cluster.Conference(Room).ChangeRole("late-host", ParticipantRole.Guest, requestedBy: "late-host"));

        Assert.True(await cluster.Conference(Room).ChangeRole("late-host", ParticipantRole.Host));
        Assert.NotNull(((JoinResult)(await EventuallyAsync("late-host", "admitted")).Detail!).MediaNode);
        Assert.Equal(ParticipantRole.Host, Assert.Single((await cluster.Conference(Room).GetStatus()).Participants).Role);
        // Now the meeting has started, a Guest joins at once.
        Assert.False((await Call(cluster, "guest", "Lab03", ParticipantRole.Guest)).Waiting);
    }

    [Fact]
    public async Task After_a_takeover_the_lobby_is_rebuilt_from_the_roles_so_the_Guests_only_timeout_still_follows_the_last_Host_R_HG_5()
    {
        NodeSpec[] nodes = [.. Nodes, NodeSpec.Transcoding("Lab04", "Lab", hdCalls: 10)];
        await using var cluster = await StartAsync(nodes: nodes);
        // Find the conference's silo and keep media off it, so killing it loses no call, only the activation.
        await cluster.Conference(Room).GetStatus();
        var conferenceNode = await cluster.ConferenceGrainNodeAsync(Room);
        await cluster.FillAsync(conferenceNode);
        var others = nodes.Select(n => n.Name).Where(n => n != conferenceNode).ToList();
        await Call(cluster, "host", others[0], ParticipantRole.Host);
        Assert.False((await Call(cluster, "guest", others[1], ParticipantRole.Guest)).Waiting);

        await cluster.KillAsync(conferenceNode);
        var status = await cluster.Conference(Room).GetStatus();
        Assert.Equal(["guest", "host"], status.Participants.Select(p => p.ParticipantId).Order());

        await cluster.GrainsOn(others[0]).GetGrain<IParticipantGrain>("host").Hangup();
        Assert.Equal(DisconnectReason.AllHostsDeparted.Text, (await EventuallyAsync("guest", "disconnected")).Detail);
    }

    /// <summary>
    /// The lobby is the conference's persistent state (issue 12): a conference whose silo dies comes back elsewhere still
    /// locked, with mute-all on and its waiting caller still waiting, who is let in as before when a Host unlocks
    /// (R-LOCK-1..3, R-MUTE-2, L7813).
    /// </summary>
    [Fact]
    public async Task After_a_takeover_the_lock_mute_all_and_the_waiting_caller_are_still_there_R_LOCK_2_R_MUTE_2()
    {
        NodeSpec[] nodes = [.. Nodes, NodeSpec.Transcoding("Lab04", "Lab", hdCalls: 10)];
        await using var cluster = await StartAsync(nodes: nodes);
        await cluster.Conference(Room).GetStatus();
        var conferenceNode = await cluster.ConferenceGrainNodeAsync(Room);
        await cluster.FillAsync(conferenceNode);
        var others = nodes.Select(n => n.Name).Where(n => n != conferenceNode).ToList();
        await Call(cluster, "host", others[0], ParticipantRole.Host);
        Assert.True(await cluster.Conference(Room).Lock());
        await cluster.Conference(Room).MuteAllGuests(true);
        Assert.True((await Call(cluster, "guest", others[1], ParticipantRole.Guest)).Waiting);

        await cluster.KillAsync(conferenceNode);
        var status = await cluster.Conference(Room).GetStatus();
        Assert.True(status.IsLocked);
        Assert.True(status.GuestsMuted);
        Assert.Equal("guest", Assert.Single(status.Waiting ?? []).ParticipantId);
        Assert.Equal("host", Assert.Single(status.Participants).ParticipantId);

        Assert.True(await cluster.Conference(Room).Unlock());
        Assert.Equal("admitted", (await EventuallyAsync("guest", "admitted")).Kind);
        status = await cluster.Conference(Room).GetStatus();
        Assert.Equal(["guest", "host"], status.Participants.Select(p => p.ParticipantId).Order());
        Assert.True(status.Participants.Single(p => p.ParticipantId == "guest").Muted);
    }

    [Fact]
    public async Task A_waiting_call_whose_signalling_node_dies_leaves_the_lobby_and_takes_no_media_later()
    {
        await using var cluster = await StartAsync();
        await cluster.Conference(Room).GetStatus();
        var conferenceNode = await cluster.ConferenceGrainNodeAsync(Room);
        var doomed = Nodes.Select(n => n.Name).First(n => n != conferenceNode);
        Assert.True((await Call(cluster, "guest", doomed, ParticipantRole.Guest)).Waiting);

        await cluster.KillAsync(doomed);
        var deadline = DateTime.UtcNow + Patience;
        while ((await cluster.Conference(Room).GetStatus()).Waiting!.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dead node's waiting call is still waiting");
            await Task.Delay(50);
        }
        var alive = Nodes.Select(n => n.Name).First(n => n != doomed);
        Assert.False((await Call(cluster, "host", alive, ParticipantRole.Host)).Waiting);
        Assert.Equal("host", Assert.Single((await cluster.Conference(Room).GetStatus()).Participants).ParticipantId);
    }
}
