using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// Conference commands a Host gives through the client API (R-HG-7): lock and unlock (R-LOCK-1..4), mute and unmute all
/// Guests (R-MUTE-2), disconnect everyone including oneself (R-DISC, "/disconnectall"), change the layout
/// (<c>transform_layout</c>, the client's <c>/layout</c>, L7089). A Guest gets 403.
/// </summary>
internal static class ClientConferenceCommands
{
    public static RouteGroupBuilder MapConferenceCommands(this RouteGroupBuilder conference)
    {
        conference.MapPost("/lock", (HttpContext http, string alias, ClientApiContext api) =>
            HostCommandAsync(http, alias, api, "lock the conference", async c => await c.Lock()));
        conference.MapPost("/unlock", (HttpContext http, string alias, ClientApiContext api) =>
            HostCommandAsync(http, alias, api, "unlock the conference", async c => await c.Unlock()));
        conference.MapPost("/muteguests", (HttpContext http, string alias, ClientApiContext api) =>
            HostCommandAsync(http, alias, api, "mute all Guests", async c =>
            {
                await c.MuteAllGuests(true);
                return true;
            }));
        conference.MapPost("/unmuteguests", (HttpContext http, string alias, ClientApiContext api) =>
            HostCommandAsync(http, alias, api, "unmute all Guests", async c =>
            {
                await c.MuteAllGuests(false);
                return true;
            }));
        conference.MapPost("/disconnect", DisconnectAllAsync);
        conference.MapPost("/transform_layout", TransformLayoutAsync);
        return conference;
    }

    private static async Task<IResult> HostCommandAsync(HttpContext http, string alias, ClientApiContext api, string what, Func<IConferenceGrain, Task<bool>> command)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        if (await api.CurrentRoleAsync(caller) != ParticipantRole.Host)
            return ClientResponses.Forbidden($"Only a Host may {what}");
        return ClientResponses.Success(await command(api.Conference(caller)));
    }

    /// <summary>
    /// <c>{"transforms": {"layout": "1:7"}}</c>: a Host changes the conference's layout (L7089, L7169): "1:0", "4:0", "1:7",
    /// "1:21" or "2:21" (Pexip's /layout names). Other transforms Pexip's clients may send are not supported and ignored.
    /// </summary>
    private static async Task<IResult> TransformLayoutAsync(HttpContext http, string alias, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        if (await api.CurrentRoleAsync(caller) != ParticipantRole.Host)
            return ClientResponses.Forbidden("Only a Host may change the layout");
        var (body, bodyError) = await ClientRequestBody.ReadAsync(http.Request);
        if (body is null) return bodyError!;
        if (!body.TryObject("transforms", required: true, out var transforms, out error)
            || !transforms!.TryString("layout", required: true, 16, out var layout, out error))
            return error!;
        if (!LayoutKinds.TryParse(layout, out var kind))
            return ClientResponses.BadField("transforms.layout", $"'{layout}' is none of 1:0, 4:0, 1:7, 1:21, 2:21");
        return ClientResponses.Success(await api.Conference(caller).TransformLayout(kind));
    }

    /// <summary>"Disconnect all, including yourself" (L8038–8089): everyone waiting or in, the caller last.</summary>
    private static async Task<IResult> DisconnectAllAsync(HttpContext http, string alias, ClientApiContext api)
    {
        var (caller, error) = await api.AuthenticateAsync(http, alias);
        if (caller is null) return error!;
        var conference = api.Conference(caller);
        var status = await conference.GetStatus();
        var me = caller.Token.ParticipantId;
        if (status.Participants.FirstOrDefault(p => p.ParticipantId == me)?.Role != ParticipantRole.Host)
            return ClientResponses.Forbidden("Only a Host may disconnect everyone");
        var everyone = status.Participants.Select(p => p.ParticipantId).Concat(status.Waiting?.Select(w => w.ParticipantId) ?? [])
            .Where(id => id != me).Append(me);
        foreach (var id in everyone)
            await conference.Disconnect(id, ClientParticipantCommands.DisconnectedByAnotherParticipant);
        return ClientResponses.Success(true);
    }
}
