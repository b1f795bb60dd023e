using ConferenceCluster.Conferencing.Cluster;
using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Conferencing.Backplanes;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Grains;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Media;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.Status;

/// <summary>A running conference instance (<c>/api/admin/status/v1/conference/</c>); the id is the service name.</summary>
public sealed record ConferenceStatusDto(
    string Id,
    string Name,
    string ServiceType,
    int ParticipantCount,
    bool IsLocked,
    bool IsStarted,
    DateTimeOffset? StartTime,
    string Tag,
    IReadOnlyList<string> MediaNodes,
    string ResourceUri);

/// <summary>
/// One participant (<c>/api/admin/status/v1/participant/</c>); the id is the call id. <c>node</c> is the signalling node,
/// <c>media_node</c> the transcoding node, <c>proxy_node</c> the Proxying Edge Node relaying its media (null when direct),
/// <c>system_location</c> the media location. <c>role</c> is Pexip's chair (Host) or guest; <c>call_type</c> audio or video.
/// </summary>
public sealed record ParticipantStatusDto(
    string Id,
    string Conference,
    string? DisplayName,
    string Role,
    string? CallType,
    string Node,
    string MediaNode,
    string? ProxyNode,
    string SystemLocation,
    DateTimeOffset ConnectTime,
    string ServiceType,
    string ResourceUri)
{
    /// <summary>The alias the caller dialled, and the protocol of its signalling (SIP/UDP, SIP/TCP).</summary>
    public string? ConferenceAlias { get; init; }
    public string? Protocol { get; init; }
    /// <summary>The negotiated audio codec (opus, PCMU, PCMA), from the media node.</summary>
    public string? Codec { get; init; }
    /// <summary>Where the endpoint's media comes from, as the media node sees it (after symmetric RTP latching).</summary>
    public string? RemoteAddress { get; init; }
    public long? RxPackets { get; init; }
    public long? RxPacketsLost { get; init; }
    /// <summary>Interarrival jitter of the received stream in milliseconds (RFC 3550 A.8).</summary>
    public double? RxJitter { get; init; }
    /// <summary>For a call through a proxying node: RTP packets it relayed from the endpoint to the media node, and back.</summary>
    public long? ProxyRxPackets { get; init; }
    public long? ProxyTxPackets { get; init; }
    /// <summary>Packets the proxying node dropped (from an unexpected source, or before the far side was known).</summary>
    public long? ProxyDroppedPackets { get; init; }
}

/// <summary>
/// One backplane of a conference (<c>/api/admin/status/v1/backplane/</c>): <c>type</c> local or geo, its two media nodes
/// and their locations. Each direction is measured where it is received: <c>rx_*</c> is remote_media_node → media_node
/// (measured on media_node), <c>tx_*</c> is media_node → remote_media_node (measured on remote_media_node). The
/// media fields are null while an end does not answer or has not opened its end yet.
/// </summary>
public sealed record BackplaneStatusDto(
    string Id,
    string Conference,
    string Type,
    string MediaNode,
    string SystemLocation,
    string RemoteMediaNode,
    string RemoteSystemLocation,
    string ResourceUri)
{
    public string? Codec { get; init; }
    public long? RxPackets { get; init; }
    public long? RxPacketsLost { get; init; }
    public double? RxJitter { get; init; }
    public long? TxPackets { get; init; }
    public long? TxPacketsLost { get; init; }
    public double? TxJitter { get; init; }
}

/// <summary>
/// The live status of conferences, participants and backplanes, gathered from the ConferenceGrains of the running
/// conferences. The running ones are the <c>conference_instance</c> records their grains keep in the cluster database
/// (written while a conference has participants, deleted when it ends): one list read plus one GetStatus per running
/// conference, with no registry grain to keep consistent.
/// </summary>
public static class ConferenceStatusEndpoints
{
    public const string ConferencePath = "/api/admin/status/v1/conference/";
    public const string ParticipantPath = "/api/admin/status/v1/participant/";
    public const string BackplanePath = "/api/admin/status/v1/backplane/";

    private static readonly Dictionary<string, Func<ConferenceStatusDto, string?>> ConferenceFilters = new()
    {
        ["id"] = c => c.Id,
        ["name"] = c => c.Name,
        ["service_type"] = c => c.ServiceType,
        ["tag"] = c => c.Tag,
    };

    private static readonly Dictionary<string, Func<ParticipantStatusDto, string?>> ParticipantFilters = new()
    {
        ["id"] = p => p.Id,
        ["conference"] = p => p.Conference,
        ["display_name"] = p => p.DisplayName,
        ["role"] = p => p.Role,
        ["call_type"] = p => p.CallType,
        ["node"] = p => p.Node,
        ["media_node"] = p => p.MediaNode,
        ["proxy_node"] = p => p.ProxyNode,
        ["system_location"] = p => p.SystemLocation,
    };

    private static readonly Dictionary<string, Func<BackplaneStatusDto, string?>> BackplaneFilters = new()
    {
        ["id"] = b => b.Id,
        ["conference"] = b => b.Conference,
        ["type"] = b => b.Type,
        ["media_node"] = b => b.MediaNode,
        ["remote_media_node"] = b => b.RemoteMediaNode,
        ["system_location"] = b => b.SystemLocation,
        ["remote_system_location"] = b => b.RemoteSystemLocation,
    };

    /// <param name="statusApi">The <c>/api/admin/status/v1</c> group.</param>
    public static RouteGroupBuilder MapConferenceStatus(this RouteGroupBuilder statusApi)
    {
        statusApi.MapGet("/conference/", (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            Gather(local, ct, all => ResourceList.Page(request, all.SelectMany(Conferences), ConferenceFilters)));
        statusApi.MapGet("/conference/{id}/", (string id, LocalSilo local, CancellationToken ct) =>
            Gather(local, ct, all => One(all.SelectMany(Conferences), c => c.Id == id, "conference", id)));
        statusApi.MapGet("/participant/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo
                ? ResourceList.Page(request, await WithMediaAsync(silo, (await RunningAsync(silo, ct)).SelectMany(Participants)), ParticipantFilters)
                : AdminApi.Starting());
        statusApi.MapGet("/participant/{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo
                ? One(await WithMediaAsync(silo, (await RunningAsync(silo, ct)).SelectMany(Participants).Where(p => p.Id == id)), p => p.Id == id, "participant", id)
                : AdminApi.Starting());
        statusApi.MapGet("/backplane/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo
                ? ResourceList.Page(request, await WithBackplaneMediaAsync(silo, (await RunningAsync(silo, ct)).SelectMany(Backplanes)), BackplaneFilters)
                : AdminApi.Starting());
        statusApi.MapGet("/backplane/{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo
                ? One(await WithBackplaneMediaAsync(silo, (await RunningAsync(silo, ct)).SelectMany(Backplanes).Where(b => b.Id == id)), b => b.Id == id, "backplane", id)
                : AdminApi.Starting());
        return statusApi;
    }

    /// <summary>The status of every running conference, by name. A conference that fails to answer is left out rather than failing the page.</summary>
    public static async Task<IReadOnlyList<(ConferenceStatus Status, string Tag)>> RunningAsync(RunningSilo silo, CancellationToken ct)
    {
        var names = await silo.Services.GetRequiredService<RunningConferences>().ListAsync(ct);
        var rooms = silo.Services.GetRequiredService<ConfigurationView>().Current.Conferences;
        var statuses = await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                return await silo.GrainFactory.GetGrain<IConferenceGrain>(name).GetStatus();
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        }));
        return statuses.OfType<ConferenceStatus>()
            .Where(s => s.Participants.Count > 0)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (s, rooms.GetValueOrDefault(s.Name)?.ServiceTag ?? ""))
            .ToList();
    }

    private static async Task<IResult> Gather(LocalSilo local, CancellationToken ct, Func<IReadOnlyList<(ConferenceStatus Status, string Tag)>, IResult> answer) =>
        local.Active() is { } silo ? answer(await RunningAsync(silo, ct)) : AdminApi.Starting();

    private static IResult One<T>(IEnumerable<T> all, Func<T, bool> match, string resource, string id) =>
        all.FirstOrDefault(match) is { } found ? Results.Json(found) : ApiError.Result(StatusCodes.Status404NotFound, $"no active {resource} '{id}'", "id");

    private static string Uri(string path, string id) => $"{path}{System.Uri.EscapeDataString(id)}/";

    private static IEnumerable<ConferenceStatusDto> Conferences((ConferenceStatus Status, string Tag) running)
    {
        var status = running.Status;
        yield return new ConferenceStatusDto(status.Name, status.Name, "conference", status.Participants.Count,
            status.IsLocked, IsStarted: true, status.StartedAt, running.Tag,
            status.MediaNodes.Select(m => m.Node).Order(StringComparer.Ordinal).ToList(), Uri(ConferencePath, status.Name));
    }

    private static IEnumerable<ParticipantStatusDto> Participants((ConferenceStatus Status, string Tag) running) =>
        running.Status.Participants.OrderBy(p => p.JoinedAt).ThenBy(p => p.ParticipantId, StringComparer.Ordinal).Select(p => new ParticipantStatusDto(
            p.ParticipantId,
            running.Status.Name,
            p.DisplayName,
            p.Role == ParticipantRole.Host ? "chair" : "guest",
            p.Media is null ? null : p.Media.AudioOnly ? "audio" : "video",
            p.SignalingNode,
            p.MediaNode,
            p.MediaProxyNode,
            p.MediaLocation,
            p.JoinedAt,
            "conference",
            Uri(ParticipantPath, p.ParticipantId))
        {
            ConferenceAlias = p.Leg?.Alias,
            Protocol = p.Leg?.Protocol,
            Codec = p.Leg?.Codec,
        });

    /// <summary>What each participant's media node measures on its leg: codec, remote address, packets, loss, jitter.</summary>
    private static async Task<IReadOnlyList<ParticipantStatusDto>> WithMediaAsync(RunningSilo silo, IEnumerable<ParticipantStatusDto> participants) =>
        await Task.WhenAll(participants.Select(async p =>
        {
            try
            {
                var leg = await silo.GrainFactory.GetGrain<IMediaNodeGrain>(p.MediaNode).GetLegStatistics(p.Id);
                p = leg is null ? p : p with
                {
                    Codec = leg.Codec,
                    RemoteAddress = leg.RemoteAddress,
                    RxPackets = leg.PacketsReceived,
                    RxPacketsLost = leg.PacketsLost,
                    RxJitter = Math.Round(leg.JitterMs, 1),
                };
                var relay = p.ProxyNode is { } proxy ? await silo.GrainFactory.GetGrain<IMediaNodeGrain>(proxy).GetRelayStatistics(p.Id) : null;
                return relay is null ? p : p with
                {
                    // The endpoint's own address is what the proxy sees; the media node only sees the proxy.
                    RemoteAddress = relay.EndpointAddress,
                    ProxyRxPackets = relay.RtpFromEndpoint,
                    ProxyTxPackets = relay.RtpToEndpoint,
                    ProxyDroppedPackets = relay.Dropped,
                };
            }
            catch (Exception)
            {
                return p; // a media node that does not answer leaves the media fields empty, not the page
            }
        }));

    /// <summary>What both ends of each backplane measure on what they receive: one call per node and conference.</summary>
    private static async Task<IReadOnlyList<BackplaneStatusDto>> WithBackplaneMediaAsync(RunningSilo silo, IEnumerable<BackplaneStatusDto> backplanes)
    {
        var list = backplanes.ToList();
        var ends = list.SelectMany(b => new[] { (b.Conference, Node: b.MediaNode), (b.Conference, Node: b.RemoteMediaNode) }).Distinct().ToList();
        var measured = await Task.WhenAll(ends.Select(async end =>
        {
            try
            {
                return await silo.GrainFactory.GetGrain<IMediaNodeGrain>(end.Node).GetBackplaneStatistics(end.Conference);
            }
            catch (Exception)
            {
                return (IReadOnlyList<BackplaneLegStatistics>)[];
            }
        }));
        var byEnd = ends.Zip(measured).ToDictionary(e => e.First, e => e.Second);
        BackplaneLegStatistics? At(string conference, string node, string peer) =>
            byEnd.GetValueOrDefault((conference, node))?.FirstOrDefault(s => s.PeerNode == peer);
        return list.Select(b =>
        {
            var rx = At(b.Conference, b.MediaNode, b.RemoteMediaNode);
            var tx = At(b.Conference, b.RemoteMediaNode, b.MediaNode);
            return b with
            {
                Codec = rx?.Codec ?? tx?.Codec,
                RxPackets = rx?.PacketsReceived,
                RxPacketsLost = rx?.PacketsLost,
                RxJitter = rx is null ? null : Math.Round(rx.JitterMs, 1),
                TxPackets = tx?.PacketsReceived,
                TxPacketsLost = tx?.PacketsLost,
                TxJitter = tx is null ? null : Math.Round(tx.JitterMs, 1),
            };
        }).ToList();
    }

    private static IEnumerable<BackplaneStatusDto> Backplanes((ConferenceStatus Status, string Tag) running) =>
        running.Status.Backplanes.Select(b =>
        {
            // Stable while the backplane lasts: the conference and its two nodes (ordered) identify it.
            var id = $"{running.Status.Name}:{b.NodeA}:{b.NodeB}";
            return new BackplaneStatusDto(id, running.Status.Name, b.Kind == BackplaneKind.Geo ? "geo" : "local",
                b.NodeA, b.LocationA, b.NodeB, b.LocationB, Uri(BackplanePath, id));
        });
}
