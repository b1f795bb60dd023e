using System.Text.Json.Serialization;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// Pexip's envelope, the same for every answer of the client API: <c>{"status": "success"|"failure", "result": ...}</c>.
/// A failure caused by one field of the request also names it in <c>field</c> (Pexip's clients read only status and
/// result; the extra member lets a script see which field was wrong, as the management API's errors do).
/// </summary>
public sealed record ClientEnvelope(
    string Status,
    object? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null);

internal static class ClientResponses
{
    public const string InvalidToken = "Invalid token";
    public const string ConferenceNotFound = "Neither conference nor gateway found";

    public static IResult Success(object? result) => Results.Json(new ClientEnvelope("success", result));

    public static IResult Failure(int statusCode, object result, string? field = null) =>
        Results.Json(new ClientEnvelope("failure", result, field), statusCode: statusCode);

    /// <summary>A request that names a bad field: 400, the message starting with the field's name.</summary>
    public static IResult BadField(string field, string problem) => Failure(StatusCodes.Status400BadRequest, $"{field}: {problem}", field);

    public static IResult Forbidden(string why) => Failure(StatusCodes.Status403Forbidden, why);

    public static IResult NotFound(string what, string? field = null) => Failure(StatusCodes.Status404NotFound, what, field);

    public static IResult Unavailable(string why) => Failure(StatusCodes.Status503ServiceUnavailable, why);
}

/// <summary>request_token's result (Pexip's fields; <c>expires</c> is a string of seconds, as Pexip sends it).</summary>
public sealed record RequestTokenResult(
    string Token,
    string Expires,
    string ParticipantUuid,
    string DisplayName,
    string Role,
    string ServiceType,
    string CurrentServiceType,
    string ConferenceName,
    string CallType,
    string CallTag,
    ClientVersion Version,
    bool ChatEnabled,
    bool GuestsCanPresent,
    bool FeccEnabled,
    bool TrickleIceEnabled,
    bool DirectMedia,
    bool UseRelayCandidatesOnly,
    bool AnalyticsEnabled,
    IReadOnlyList<object> Stun,
    IReadOnlyList<object> Turn);

public sealed record ClientVersion(string VersionId, string PseudoVersion);

/// <summary>refresh_token's result.</summary>
public sealed record RefreshTokenResult(string Token, string Expires);

/// <summary>The 403 of request_token when a PIN is needed: which PINs exist (<c>guest_pin</c> "none": Guests join with <c>pin: none</c>).</summary>
public sealed record PinRequiredResult(string Pin, string GuestPin);

/// <summary>calls' result: the media call's id and the SDP answer.</summary>
public sealed record CallResult(string CallUuid, string Sdp, bool OfferIgnored);
