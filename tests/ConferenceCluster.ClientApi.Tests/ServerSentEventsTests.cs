using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Events;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Client;
using ConferenceCluster.Silo.Api.Client;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>The event stream's framing (HTML "Server-sent events") and what a client is told, event by event.</summary>
public sealed class ServerSentEventsTests
{
    [Fact]
    public void An_event_is_its_name_one_data_line_and_a_blank_line() =>
        Assert.Equal("event: stage\ndata: [1,2]\n\n", ServerSentEvents.Event("stage", "[1,2]"));

    /// <summary>Each line of the data its own data: line (LF, CR and CRLF all end a line), so nothing in it ends the event early.</summary>
    [Fact]
    public void Line_breaks_in_the_data_become_data_lines()
    {
        Assert.Equal("event: x\ndata: a\ndata: b\ndata: c\ndata: \ndata: d\n\n", ServerSentEvents.Event("x", "a\nb\r\nc\r\rd"));
        Assert.Equal("event: x\ndata: \n\n", ServerSentEvents.Event("x", ""));
        Assert.DoesNotContain("\n\n", ServerSentEvents.Event("x", "a\n\nevent: forged\ndata: y")[..^2]);
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("")]
    public void An_event_name_of_more_than_one_line_is_refused(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => ServerSentEvents.Event(name, "{}"));

    [Fact]
    public void A_comment_is_one_line() => Assert.Equal(": a b\n\n", ServerSentEvents.Comment("a\nb"));

    private static ParticipantEventInfo Participant(string id, string name, ParticipantRole role = ParticipantRole.Host, bool muted = false, string protocol = "WebRTC") =>
        new("meet", id, name, role, "silo-a", "silo-b", null, "default", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), new CallLeg("meet", protocol, "127.0.0.1", "opus"), muted);

    private static ParticipantStatus Status(string id, string name) =>
        new(id, name, ParticipantRole.Guest, "silo-a", null, "silo-b", "default", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), CallMedia.Audio, false,
            new CallLeg("meet", "SIP/UDP", "127.0.0.1:5062", "PCMU"));

    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    [Fact]
    public void The_roster_comes_first_between_sync_begin_and_end_then_the_conference()
    {
        var translator = new ClientEventTranslator("meet", "me");
        var events = translator.Sync(new ConferenceStatus("meet", At, [Status("p-1", "Alice"), Status("p-2", "Bob")], [], [], new Dictionary<string, string>(), IsLocked: true));

        Assert.Equal(["participant_sync_begin", "participant_create", "participant_create", "participant_sync_end", "conference_update"], events.Select(e => e.Name));
        var alice = Assert.IsType<ParticipantObject>(events[1].Data);
        Assert.Equal(("p-1", "Alice", "guest", "sip", "NO", "Off"), (alice.Uuid, alice.DisplayName, alice.Role, alice.Protocol, alice.IsMuted, alice.Encryption));
        Assert.True(Assert.IsType<ConferenceUpdateObject>(events[4].Data).Locked);
    }

    /// <summary>Events that raced the initial roster are sent as what they mean to this client.</summary>
    [Fact]
    public void A_create_of_someone_listed_is_an_update_and_a_delete_of_someone_never_listed_is_nothing()
    {
        var translator = new ClientEventTranslator("meet", "me");
        translator.Sync(new ConferenceStatus("meet", At, [Status("p-1", "Alice")], [], [], new Dictionary<string, string>()));

        Assert.Equal("participant_update", Assert.Single(translator.On(new ParticipantConnected(Participant("p-1", "Alice"), At, "n", "l"))).Name);
        Assert.Empty(translator.On(new ParticipantDisconnected(Participant("p-9", "Zed"), "gone", At, "n", "l")));
        var created = Assert.Single(translator.On(new ParticipantConnected(Participant("p-2", "Bob", muted: true), At, "n", "l")));
        Assert.Equal("participant_create", created.Name);
        var bob = Assert.IsType<ParticipantObject>(created.Data);
        Assert.Equal(("webrtc", "YES", "On", "chair"), (bob.Protocol, bob.IsMuted, bob.Encryption, bob.Role));
        Assert.Equal("participant_delete", Assert.Single(translator.On(new ParticipantDisconnected(Participant("p-2", "Bob"), "left", At, "n", "l"))).Name);
        Assert.Empty(translator.On(new ParticipantConnected(Participant("x", "Other room") with { Conference = "other" }, At, "n", "l")));
    }

    [Fact]
    public void The_participants_own_departure_ends_the_stream_with_disconnect_and_its_reason()
    {
        var translator = new ClientEventTranslator("meet", "me");
        translator.Sync(new ConferenceStatus("meet", At, [], [], [], new Dictionary<string, string>()));
        translator.On(new ParticipantConnected(Participant("me", "Me"), At, "n", "l"));

        var events = translator.On(new ParticipantDisconnected(Participant("me", "Me"), "Disconnected by another participant", At, "n", "l"));

        Assert.Equal(["participant_delete", "disconnect"], events.Select(e => e.Name));
        Assert.Equal("Disconnected by another participant", Assert.IsType<DisconnectObject>(events[1].Data).Reason);
        Assert.True(translator.Ended);
        Assert.Empty(translator.On(new ParticipantConnected(Participant("p-3", "Late"), At, "n", "l")));
    }

    [Fact]
    public void A_moved_call_asks_for_a_new_offer_and_a_private_disconnect_ends_the_stream()
    {
        var translator = new ClientEventTranslator("meet", "me");
        var moved = Assert.Single(translator.On(new ClientCallDisconnected("me", "call-1", "media moved", Reoffer: true)));
        Assert.Equal("call_disconnected", moved.Name);
        Assert.Equal(new CallDisconnectedObject("call-1", "media moved", true), moved.Data);
        Assert.Empty(translator.On(new ClientCallDisconnected("someone-else", "call-9", "x", true)));

        Assert.Equal("disconnect", Assert.Single(translator.On(new ClientParticipantDisconnected("me", "Token expired"))).Name);
        Assert.True(translator.Ended);
    }

    [Fact]
    public void Stage_puts_speakers_first_and_is_sent_only_when_it_changes()
    {
        var translator = new ClientEventTranslator("meet", "me");
        translator.Sync(new ConferenceStatus("meet", At, [Status("p-1", "Alice"), Status("p-2", "Bob"), Status("p-3", "Carol")], [], [], new Dictionary<string, string>()));

        var stage = translator.Stage(new HashSet<string> { "p-3" });
        Assert.NotNull(stage);
        Assert.Equal([new StageEntry("p-3", 0, 100), new StageEntry("p-1", 1, 0), new StageEntry("p-2", 2, 0)], (IEnumerable<StageEntry>)stage!.Data!);
        Assert.Null(translator.Stage(new HashSet<string> { "p-3" }));
        Assert.NotNull(translator.Stage(new HashSet<string>()));
    }
}
