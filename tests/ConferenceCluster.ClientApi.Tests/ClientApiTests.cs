using System.Net;
using System.Text.Json;
using ConferenceCluster.ClientApi.Tests.Support;
using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.ClientApi.Tests;

/// <summary>One silo of its own (memory storage) that every test of <see cref="ClientApiTests"/> shares, each in rooms of its own.</summary>
public sealed class SingleSiloFixture : IAsyncLifetime
{
    internal ClientApiSilos Silos { get; private set; } = null!;

    public async Task InitializeAsync() => Silos = await ClientApiSilos.StartAsync(1, postgres: false);

    public async Task DisposeAsync() => await Silos.DisposeAsync();
}

/// <summary>
/// The client REST API v2 over HTTP against a real silo: Pexip's envelope and status codes, a 4xx naming the field for
/// every bad request, the PIN rules for client-API participants (R-PIN-2, R-PIN-7), break-in resistance (R-BRK-1),
/// Host-only commands (R-HG-7, R-LOCK, R-MUTE-4) and what makes a token worthless.
/// </summary>
public sealed class ClientApiTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    private ClientApiSilos Silos => fixture.Silos;

    private static string NewRoom() => "room-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<(string Room, ClientApiHttp Client)> RoomAsync(string? hostPin = null, bool allowGuests = false, string? guestPin = null)
    {
        var room = NewRoom();
        await Silos.CreateRoomAsync(room, room, hostPin, allowGuests, guestPin);
        return (room, Client(room));
    }

    private ClientApiHttp Client(string alias, int silo = 0) => new(Silos.Http(silo), alias);

    /// <summary>A room with Host and Guest PINs, a Host and a Guest in it.</summary>
    private async Task<(string Room, ClientApiHttp Host, ClientApiHttp Guest)> HostAndGuestAsync()
    {
        var (room, _) = await RoomAsync(hostPin: "1357", allowGuests: true, guestPin: "2468");
        var host = Client(room);
        await host.RequestTokenAsync("Host", "1357");
        var guest = Client(room);
        await guest.RequestTokenAsync("Guest", "2468");
        await Eventually.TrueAsync(async () => (await Silos.StatusAsync(room)).Participants.Count == 2, "the Guest in");
        return (room, host, guest);
    }

    private static void AssertBadField(ClientAnswer answer, string field)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"expected 400 naming {field}: {answer}");
        Assert.Equal(field, answer.Field);
        Assert.StartsWith(field + ":", answer.Result.GetString());
    }

    [Fact]
    public async Task Request_token_refuses_a_bad_body_with_400_naming_the_field()
    {
        var (_, client) = await RoomAsync();

        AssertBadField(await client.PostAsync("request_token"), "display_name");
        AssertBadField(await client.PostAsync("request_token", new { display_name = "" }), "display_name");
        AssertBadField(await client.PostAsync("request_token", new { display_name = 42 }), "display_name");
        AssertBadField(await client.PostAsync("request_token", new { display_name = new string('x', 251) }), "display_name");
        AssertBadField(await client.PostAsync("request_token", new { display_name = "Al", call_tag = true }), "call_tag");
        AssertBadField(await client.PostAsync("request_token", new { display_name = "Al", direct_media = true }), "direct_media");
        AssertBadField(await client.PostAsync("request_token", new { display_name = "Al", direct_media = "no" }), "direct_media");
        AssertBadField(await client.PostRawAsync("request_token", "{\"display_name\": "), "body");
        AssertBadField(await client.PostRawAsync("request_token", "[\"Al\"]"), "body");
        var large = await client.PostRawAsync("request_token", $"{{\"display_name\":\"{new string('x', 70_000)}\"}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.Equal("body", large.Field);
        // Unknown fields are what Pexip's SDKs send more of: ignored.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("request_token", new { display_name = "Al", breakout_capable = false, chosen_idp = "" })).Status);
    }

    [Fact]
    public async Task An_unknown_alias_is_pexips_404()
    {
        var answer = await Client("no-such-room-" + Guid.NewGuid().ToString("N")).RequestTokenAsync("Al");
        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("Neither conference nor gateway found", answer.Result.GetString());
    }

    /// <summary>A room without PINs lets everyone in as Host (R-PIN-2 row 1, L6990), with Pexip's request_token result.</summary>
    [Fact]
    public async Task A_room_without_pin_admits_everyone_as_host_with_pexips_result()
    {
        var (room, client) = await RoomAsync();
        var answer = await client.RequestTokenAsync("Alice", pin: "1234"); // a PIN given to a room without one is ignored

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var result = answer.Result;
        Assert.Equal("120", result.GetProperty("expires").GetString());
        Assert.Equal("HOST", result.GetProperty("role").GetString());
        Assert.Equal("Alice", result.GetProperty("display_name").GetString());
        Assert.Equal("conference", result.GetProperty("current_service_type").GetString());
        Assert.Equal(room, result.GetProperty("conference_name").GetString());
        Assert.Equal(JsonValueKind.Array, result.GetProperty("stun").ValueKind);
        var status = await Silos.StatusAsync(room);
        var me = Assert.Single(status.Participants);
        Assert.Equal((client.ParticipantId, "Alice", "WebRTC"), (me.ParticipantId, me.DisplayName, me.Leg?.Protocol));
    }

    /// <summary>
    /// R-PIN-2 row 4 and R-PIN-7 (L6990–7007, AT-17): the 403 says which PINs exist; wrong PINs are refused as often as
    /// they come (no three-attempt limit for the client API); the terminal # is optional; the Host PIN makes a Host, the
    /// Guest PIN a Guest, who waits until a Host is in (R-HG-1).
    /// </summary>
    [Fact]
    public async Task Pin_room_asks_for_the_pin_refuses_wrong_ones_without_limit_and_gives_each_pin_its_role_L7007()
    {
        var (room, _) = await RoomAsync(hostPin: "1234#", allowGuests: true, guestPin: "5678#");

        var asked = await Client(room).RequestTokenAsync("Guest");
        Assert.Equal(HttpStatusCode.Forbidden, asked.Status);
        Assert.Equal("required", asked.Result.GetProperty("pin").GetString());
        Assert.Equal("required", asked.Result.GetProperty("guest_pin").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Client(room).RequestTokenAsync("Guest", "none")).Status);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var wrong = await Client(room).RequestTokenAsync("Guest", "9999");
            Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
            Assert.Equal("Invalid PIN", wrong.Result.GetString());
        }

        var guest = Client(room);
        var asGuest = await guest.RequestTokenAsync("Guest", "5678"); // without its #
        Assert.Equal("GUEST", asGuest.Result.GetProperty("role").GetString());
        Assert.Equal("waiting_room", asGuest.Result.GetProperty("current_service_type").GetString());
        var calls = await guest.PostAsync($"participants/{guest.ParticipantId}/calls", new { call_type = "WEBRTC", sdp = "v=0" });
        Assert.Equal(HttpStatusCode.Conflict, calls.Status); // no media before a Host lets it in

        var asHost = await Client(room).RequestTokenAsync("Host", "1234#");
        Assert.Equal("HOST", asHost.Result.GetProperty("role").GetString());
        Assert.Equal("conference", asHost.Result.GetProperty("current_service_type").GetString());
        await Eventually.TrueAsync(async () => (await Silos.StatusAsync(room)).Participants.Any(p => p.ParticipantId == guest.ParticipantId),
            "the waiting Guest to be let in once a Host joined (R-HG-3)");
    }

    /// <summary>R-PIN-2 row 3 (L6990–7003): Guests need no PIN; <c>pin: none</c> joins as Guest.</summary>
    [Fact]
    public async Task Where_guests_need_no_pin_the_403_says_so_and_none_joins_as_guest()
    {
        var (room, _) = await RoomAsync(hostPin: "4321", allowGuests: true);

        var asked = await Client(room).RequestTokenAsync("G");
        Assert.Equal(HttpStatusCode.Forbidden, asked.Status);
        Assert.Equal("none", asked.Result.GetProperty("guest_pin").GetString());
        var guest = await Client(room).RequestTokenAsync("G", "none");
        Assert.Equal(("GUEST", "waiting_room"), (guest.Result.GetProperty("role").GetString(), guest.Result.GetProperty("current_service_type").GetString()));
    }

    /// <summary>
    /// R-BRK-1 (L4353–4365, L7007): more than 20 wrong PINs within 10 minutes, from any client, block the service, which
    /// then looks as if it did not exist, even to the right PIN.
    /// </summary>
    [Fact]
    public async Task Twenty_one_wrong_pins_make_the_room_look_absent_even_to_the_right_pin_L4365()
    {
        var (room, _) = await RoomAsync(hostPin: "2468");
        for (var i = 0; i < 21; i++)
            Assert.Equal("Invalid PIN", (await Client(room).RequestTokenAsync("Mallory", $"{1000 + i}")).Result.GetString());

        var right = await Client(room).RequestTokenAsync("Host", "2468");
        Assert.Equal(HttpStatusCode.NotFound, right.Status);
        Assert.Equal("Neither conference nor gateway found", right.Result.GetString());
    }

    [Fact]
    public async Task A_token_opens_only_its_own_room_and_is_worthless_after_release()
    {
        var (_, client) = await RoomAsync();
        var (otherRoom, _) = await RoomAsync();
        await client.RequestTokenAsync("Alice");
        var first = client.Token;

        var refreshed = await client.PostAsync("refresh_token");
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal("120", refreshed.Result.GetProperty("expires").GetString());
        client.Token = refreshed.Result.GetProperty("token").GetString();

        var elsewhere = new ClientApiHttp(Silos.Http(0), otherRoom) { Token = client.Token };
        Assert.Equal("Invalid token", (await elsewhere.PostAsync("refresh_token")).Result.GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await new ClientApiHttp(Silos.Http(0), client.Alias) { Token = "garbage.token" }.PostAsync("refresh_token")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await new ClientApiHttp(Silos.Http(0), client.Alias).PostAsync("refresh_token")).Status);

        var released = await client.PostAsync("release_token");
        Assert.True(released.Result.GetBoolean());
        foreach (var token in new[] { first, client.Token })
        {
            var after = await new ClientApiHttp(Silos.Http(0), client.Alias) { Token = token }.PostAsync("refresh_token");
            Assert.Equal(HttpStatusCode.Forbidden, after.Status);
            Assert.Equal("Invalid token", after.Result.GetString());
        }
    }

    [Fact]
    public async Task Calls_refuse_a_bad_request_with_400_naming_the_field_and_an_offer_they_cannot_answer_with_why()
    {
        var (_, client) = await RoomAsync();
        await client.RequestTokenAsync("Alice");
        var calls = $"participants/{client.ParticipantId}/calls";

        AssertBadField(await client.PostAsync(calls, new { sdp = "v=0" }), "call_type");
        AssertBadField(await client.PostAsync(calls, new { call_type = "RTMP", sdp = "v=0" }), "call_type");
        AssertBadField(await client.PostAsync(calls, new { call_type = "WEBRTC" }), "sdp");
        AssertBadField(await client.PostAsync(calls, new { call_type = "WEBRTC", sdp = 7 }), "sdp");
        AssertBadField(await client.PostAsync(calls, new { call_type = "WEBRTC", sdp = "v=0", present = "send" }), "present");
        var notSdp = await client.PostAsync(calls, new { call_type = "WEBRTC", sdp = "hello" });
        AssertBadField(notSdp, "sdp");
        var noAudio = await client.PostAsync(calls, new { call_type = "WEBRTC", sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n" });
        AssertBadField(noAudio, "sdp");
        Assert.Contains("audio", noAudio.Result.GetString(), StringComparison.OrdinalIgnoreCase);

        // Only for itself; and only for its current call.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"participants/{Guid.NewGuid()}/calls", new { call_type = "WEBRTC", sdp = "v=0" })).Status);
        var ack = await client.PostAsync($"participants/{client.ParticipantId}/calls/{Guid.NewGuid()}/ack");
        Assert.Equal((HttpStatusCode.NotFound, "call_uuid"), (ack.Status, ack.Field));
        AssertBadField(await client.PostAsync($"participants/{client.ParticipantId}/calls/x/dtmf", new { digits = "12x" }), "digits");
        AssertBadField(await client.PostAsync($"participants/{client.ParticipantId}/calls/x/new_candidate", new { candidate = 5 }), "candidate");
        AssertBadField(await client.PostAsync($"participants/{client.ParticipantId}/role", new { role = "owner" }), "role");
    }

    /// <summary>R-HG-7, R-LOCK-1, R-MUTE-2/4 (AT-34): a Guest may not lock, mute others or unmute itself; a Host may.</summary>
    [Fact]
    public async Task Only_a_host_locks_and_mutes_others_and_a_muted_guest_cannot_unmute_itself_AT34()
    {
        var (room, host, guest) = await HostAndGuestAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsync("lock")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsync("muteguests")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsync($"participants/{host.ParticipantId}/mute")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsync($"participants/{host.ParticipantId}/disconnect")).Status);

        Assert.True((await host.PostAsync($"participants/{guest.ParticipantId}/mute")).Result.GetBoolean());
        Assert.True((await Silos.StatusAsync(room)).Participants.Single(p => p.ParticipantId == guest.ParticipantId).Muted);
        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsync($"participants/{guest.ParticipantId}/unmute")).Status);
        Assert.True((await host.PostAsync($"participants/{guest.ParticipantId}/unmute")).Result.GetBoolean());
        Assert.True((await host.PostAsync($"participants/{host.ParticipantId}/mute")).Result.GetBoolean());
        Assert.True((await host.PostAsync($"participants/{host.ParticipantId}/unmute")).Result.GetBoolean()); // a Host may

        Assert.True((await host.PostAsync("lock")).Result.GetBoolean());
        Assert.True((await Silos.StatusAsync(room)).IsLocked);
        Assert.True((await host.PostAsync("muteguests")).Result.GetBoolean());
        Assert.True((await Silos.StatusAsync(room)).GuestsMuted);
        // A Host may not make itself a Guest (L7052).
        Assert.Equal(HttpStatusCode.Forbidden, (await host.PostAsync($"participants/{host.ParticipantId}/role", new { role = "guest" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync($"participants/{Guid.NewGuid()}/mute")).Status);
    }

    /// <summary>
    /// A Host changes the layout (the client's /layout, L7089, L7169) with Pexip's <c>transform_layout</c>,
    /// <c>{"transforms": {"layout": "1:0"}}</c>; a Guest may not; a bad body is a 400 naming the field.
    /// </summary>
    [Fact]
    public async Task Only_a_host_transforms_the_layout_in_pexips_shape_L7089()
    {
        var (room, host, guest) = await HostAndGuestAsync();
        Assert.Equal(LayoutKind.OnePlusSeven, (await Silos.StatusAsync(room)).Layout); // the room's View (L5535)

        Assert.Equal(HttpStatusCode.Forbidden, (await guest.PostAsync("transform_layout", new { transforms = new { layout = "1:0" } })).Status);
        AssertBadField(await host.PostAsync("transform_layout"), "transforms");
        AssertBadField(await host.PostAsync("transform_layout", new { transforms = "1:0" }), "transforms");
        AssertBadField(await host.PostAsync("transform_layout", new { transforms = new { } }), "transforms.layout");
        AssertBadField(await host.PostAsync("transform_layout", new { transforms = new { layout = 7 } }), "transforms.layout");
        AssertBadField(await host.PostAsync("transform_layout", new { transforms = new { layout = "3:3" } }), "transforms.layout");
        Assert.Equal(LayoutKind.OnePlusSeven, (await Silos.StatusAsync(room)).Layout);

        Assert.True((await host.PostAsync("transform_layout", new { transforms = new { layout = "1:0" } })).Result.GetBoolean());
        Assert.Equal(LayoutKind.OnePlusZero, (await Silos.StatusAsync(room)).Layout);
        Assert.True((await host.PostAsync("transform_layout", new { transforms = new { layout = "2:21", host_layout = "ignored" } })).Result.GetBoolean());
        Assert.Equal(LayoutKind.TwoPlusTwentyOne, (await Silos.StatusAsync(room)).Layout);
    }

    /// <summary>A Host disconnects a participant: its token is worthless from then on, and its event stream says why.</summary>
    [Fact]
    public async Task A_participant_a_host_disconnected_is_told_on_its_event_stream_and_its_token_dies()
    {
        var (room, host) = await RoomAsync();
        await host.RequestTokenAsync("Host");
        var other = Client(room);
        await other.RequestTokenAsync("Other");
        await using var events = await SseReader.OpenAsync(Silos.Http(0), other);
        await events.ReadUntilAsync("participant_sync_end");

        Assert.True((await host.PostAsync($"participants/{other.ParticipantId}/disconnect")).Result.GetBoolean());

        var disconnect = await events.ReadUntilAsync("disconnect");
        Assert.Equal("Disconnected by another participant", disconnect.Data.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync("refresh_token")).Status);
        Assert.DoesNotContain((await Silos.StatusAsync(room)).Participants, p => p.ParticipantId == other.ParticipantId);
    }

    /// <summary>
    /// The event stream over plain HTTP: text/event-stream with the roster between sync_begin and sync_end, then live
    /// creates, updates (mute), conference updates (lock) and deletes as they happen.
    /// </summary>
    [Fact]
    public async Task The_event_stream_sends_the_roster_then_each_change()
    {
        var (room, me) = await RoomAsync();
        await me.RequestTokenAsync("Me");
        var bob = Client(room);
        await bob.RequestTokenAsync("Bob");
        await using var events = await SseReader.OpenAsync(Silos.Http(0), me);
        Assert.Equal("text/event-stream", events.ContentType);

        Assert.Equal("participant_sync_begin", (await events.NextAsync()).Name);
        var roster = new[] { await events.NextAsync(), await events.NextAsync() };
        Assert.All(roster, e => Assert.Equal("participant_create", e.Name));
        Assert.Equal(["Bob", "Me"], roster.Select(e => e.Data.GetProperty("display_name").GetString()).Order());
        Assert.Equal("participant_sync_end", (await events.NextAsync()).Name);
        Assert.False((await events.ReadUntilAsync("conference_update")).Data.GetProperty("locked").GetBoolean());

        var carol = Client(room);
        await carol.RequestTokenAsync("Carol");
        Assert.Equal("Carol", (await events.ReadUntilAsync("participant_create")).Data.GetProperty("display_name").GetString());
        await me.PostAsync($"participants/{bob.ParticipantId}/mute");
        var muted = await events.ReadUntilAsync("participant_update");
        Assert.Equal((bob.ParticipantId, "YES"), (muted.Data.GetProperty("uuid").GetString(), muted.Data.GetProperty("is_muted").GetString()));
        await me.PostAsync("lock");
        Assert.True((await events.ReadUntilAsync("conference_update")).Data.GetProperty("locked").GetBoolean());
        await carol.PostAsync("release_token");
        Assert.Equal(carol.ParticipantId, (await events.ReadUntilAsync("participant_delete")).Data.GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task The_event_stream_refuses_a_bad_token_with_403_json()
    {
        var (_, client) = await RoomAsync();
        var answer = await new ClientApiHttp(Silos.Http(0), client.Alias) { Token = "x.y" }.GetAsync("events");
        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("Invalid token", answer.Result.GetString());
    }
}
