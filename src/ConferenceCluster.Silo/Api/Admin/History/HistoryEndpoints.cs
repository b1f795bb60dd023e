using ConferenceCluster.Silo.Hosting;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Conferencing.History;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Silo.Api.Admin.History;

/// <summary>An ended conference instance (<c>/api/admin/history/v1/conference/</c>); <c>duration</c> in whole seconds.</summary>
public sealed record ConferenceHistoryDto(
    string Id,
    string Name,
    string ServiceType,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    long Duration,
    int ParticipantCount,
    IReadOnlyList<string> NodesUsed,
    string EndReason,
    string ResourceUri);

/// <summary>
/// An ended call (<c>/api/admin/history/v1/participant/</c>): <c>conference_name</c> as Pexip spells it, <c>node</c> the
/// signalling node, <c>media_node</c>, <c>proxy_node</c>, <c>system_location</c> of the media, <c>disconnect_reason</c>.
/// </summary>
public sealed record ParticipantHistoryDto(
    string Id,
    string ConferenceName,
    string ParticipantId,
    string? DisplayName,
    string Role,
    string Node,
    string MediaNode,
    string? ProxyNode,
    string SystemLocation,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    long Duration,
    string DisconnectReason,
    string ResourceUri)
{
    /// <summary>The alias dialled, the protocol (SIP/UDP, SIP/TCP), the endpoint's signalling address and the codec.</summary>
    public string? ConferenceAlias { get; init; }
    public string? Protocol { get; init; }
    public string? RemoteAddress { get; init; }
    public string? Codec { get; init; }
    /// <summary>Received RTP at the media node over the whole call, and its interarrival jitter (ms) at the end.</summary>
    public long? RxPackets { get; init; }
    public long? RxPacketsLost { get; init; }
    public double? RxJitter { get; init; }
}

/// <summary>The HistoryWriter's records, newest (latest end) first, paged and filterable like every list.</summary>
public static class HistoryEndpoints
{
    public const string ConferencePath = "/api/admin/history/v1/conference/";
    public const string ParticipantPath = "/api/admin/history/v1/participant/";

    private static readonly Dictionary<string, Func<ConferenceHistoryDto, string?>> ConferenceFilters = new()
    {
        ["id"] = c => c.Id,
        ["name"] = c => c.Name,
    };

    private static readonly Dictionary<string, Func<ParticipantHistoryDto, string?>> ParticipantFilters = new()
    {
        ["id"] = p => p.Id,
        ["conference_name"] = p => p.ConferenceName,
        ["participant_id"] = p => p.ParticipantId,
        ["display_name"] = p => p.DisplayName,
        ["node"] = p => p.Node,
        ["media_node"] = p => p.MediaNode,
        ["proxy_node"] = p => p.ProxyNode,
        ["system_location"] = p => p.SystemLocation,
        ["disconnect_reason"] = p => p.DisconnectReason,
    };

    /// <param name="historyApi">The <c>/api/admin/history/v1</c> group.</param>
    public static RouteGroupBuilder MapHistory(this RouteGroupBuilder historyApi)
    {
        historyApi.MapGet("/conference/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await ConferencesAsync(silo, ct), ConferenceFilters) : AdminApi.Starting());
        historyApi.MapGet("/conference/{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : (await ConferencesAsync(silo, ct)).FirstOrDefault(c => c.Id == id) is { } found ? Results.Json(found)
            : ApiError.Result(StatusCodes.Status404NotFound, $"no conference history '{id}'", "id"));
        historyApi.MapGet("/participant/", async (HttpRequest request, LocalSilo local, CancellationToken ct) =>
            local.Active() is { } silo ? ResourceList.Page(request, await ParticipantsAsync(silo, ct), ParticipantFilters) : AdminApi.Starting());
        historyApi.MapGet("/participant/{id}/", async (string id, LocalSilo local, CancellationToken ct) =>
            local.Active() is not { } silo ? AdminApi.Starting()
            : (await ParticipantsAsync(silo, ct)).FirstOrDefault(p => p.Id == id) is { } found ? Results.Json(found)
            : ApiError.Result(StatusCodes.Status404NotFound, $"no participant history '{id}'", "id"));
        return historyApi;
    }

    private static string Uri(string path, string id) => $"{path}{System.Uri.EscapeDataString(id)}/";

    private static async Task<IReadOnlyList<ConferenceHistoryDto>> ConferencesAsync(RunningSilo silo, CancellationToken ct) =>
        (await silo.Services.GetRequiredService<HistoryWriter>().ConferencesAsync(ct))
        .OrderByDescending(c => c.EndTime).ThenBy(c => c.Id, StringComparer.Ordinal)
        .Select(c => new ConferenceHistoryDto(c.Id, c.Conference, "conference", c.StartTime, c.EndTime, (long)c.DurationSeconds,
            c.Participants, c.NodesUsed, c.EndReason, Uri(ConferencePath, c.Id)))
        .ToList();

    private static async Task<IReadOnlyList<ParticipantHistoryDto>> ParticipantsAsync(RunningSilo silo, CancellationToken ct) =>
        (await silo.Services.GetRequiredService<HistoryWriter>().ParticipantsAsync(ct))
        .OrderByDescending(p => p.EndTime).ThenBy(p => p.Id, StringComparer.Ordinal)
        .Select(p => new ParticipantHistoryDto(p.Id, p.Conference, p.ParticipantId, p.DisplayName,
            p.Role == ParticipantRole.Host ? "chair" : "guest", p.SignalingNode, p.MediaNode, p.MediaProxyNode, p.MediaLocation,
            p.StartTime, p.EndTime, (long)p.DurationSeconds, p.DisconnectReason, Uri(ParticipantPath, p.Id))
        {
            ConferenceAlias = p.Leg?.Alias,
            Protocol = p.Leg?.Protocol,
            RemoteAddress = p.Leg?.RemoteAddress,
            Codec = p.Leg?.Codec,
            RxPackets = p.Quality?.PacketsReceived,
            RxPacketsLost = p.Quality?.PacketsLost,
            RxJitter = p.Quality is { } q ? Math.Round(q.JitterMs, 1) : null,
        })
        .ToList();
}
