using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Configuration.Store;
using ConferenceCluster.Conferencing.Layouts;

namespace ConferenceCluster.Silo.Api.Admin.Configuration;

/// <summary>One alias of a service, as Pexip nests it in the conference (<c>{"alias": "meet@example.com"}</c>).</summary>
public sealed record ConferenceAliasDto(string Alias, string? Description = "");

/// <summary>
/// A Virtual Meeting Room as <c>/api/admin/configuration/v1/conference/</c> shows it, with Pexip's field names and
/// values: <c>pin</c>/<c>guest_pin</c> "" for none, <c>max_pixels_per_second</c> sd/hd/fullhd (null: the global
/// setting), <c>call_type</c> video/video-only/audio (conference capabilities), <c>crypto_mode</c> besteffort/on/off (null: global),
/// <c>host_view</c> the View (L5535): one_main_zero_pips, four_mains_zero_pips, one_main_seven_pips (default),
/// one_main_twentyone_pips or two_mains_twentyone_pips.
/// </summary>
public sealed record ConferenceDto(
    string Name,
    string Description,
    string ServiceType,
    IReadOnlyList<ConferenceAliasDto>? Aliases,
    string? Pin,
    string? GuestPin,
    bool AllowGuests,
    bool GuestsCanPresent,
    string? MaxPixelsPerSecond,
    string CallType,
    string? CryptoMode,
    int? ParticipantLimit,
    int? MaxCallrateIn,
    int? MaxCallrateOut,
    string? Tag,
    string? HostView = null);

public sealed class ConferenceResource : ConfigurationResource<VirtualMeetingRoom, ConferenceDto>
{
    /// <summary>Only Virtual Meeting Rooms are modelled; Pexip's other service types (lecture, two_stage_dialing, ...) are refused.</summary>
    public const string VirtualMeetingRoomServiceType = "conference";

    public override string Resource => ConfigurationCollections.Conferences;

    protected override string NameOf(VirtualMeetingRoom value) => value.Name;

    protected override VirtualMeetingRoom New(string name) => new(name);

    protected override Task<IReadOnlyList<Versioned<VirtualMeetingRoom>>> ListAsync(ConfigurationRepository repository, CancellationToken ct) =>
        repository.ListConferencesAsync(ct);

    protected override Task<Versioned<VirtualMeetingRoom>?> GetAsync(ConfigurationRepository repository, string name, CancellationToken ct) =>
        repository.GetConferenceAsync(name, ct);

    protected override Task<ConferenceDto> ToDtoAsync(VirtualMeetingRoom value, ConfigurationReferences references, CancellationToken ct) =>
        Task.FromResult(new ConferenceDto(
            value.Name,
            value.Description,
            VirtualMeetingRoomServiceType,
            value.Aliases.Select(a => new ConferenceAliasDto(a.Alias, a.Description)).ToList(),
            value.HostPin ?? "",
            value.GuestPin ?? "",
            value.AllowGuests,
            value.GuestsCanPresent,
            value.MaximumCallQuality is { } quality ? PexipValues.Of(quality) : null,
            PexipValues.Of(value.ConferenceCapabilities),
            value.MediaEncryption is { } crypto ? PexipValues.Of(crypto) : null,
            value.ParticipantLimit,
            value.MaximumInboundCallBandwidthKbps,
            value.MaximumOutboundCallBandwidthKbps,
            value.ServiceTag ?? "",
            value.View.ToViewName()));

    protected override Task<(VirtualMeetingRoom? Value, IResult? Error)> FromDtoAsync(ConferenceDto dto, ConfigurationReferences references, CancellationToken ct)
    {
        (VirtualMeetingRoom?, IResult?) Bad(string field, string message) => (null, ApiError.Result(StatusCodes.Status400BadRequest, message, field));

        if (dto.ServiceType != VirtualMeetingRoomServiceType)
            return Task.FromResult(Bad("service_type", "only Virtual Meeting Rooms (service_type \"conference\") are supported"));
        MaximumCallQuality? quality = null;
        if (dto.MaxPixelsPerSecond is not null && !PexipValues.TryParse(dto.MaxPixelsPerSecond, out quality))
            return Task.FromResult(Bad("max_pixels_per_second", "max_pixels_per_second is sd, hd, fullhd or null (the global setting)"));
        if (!PexipValues.TryParse(dto.CallType, out ConferenceCapabilities capabilities))
            return Task.FromResult(Bad("call_type", "call_type is video, video-only or audio"));
        MediaEncryption? crypto = null;
        if (dto.CryptoMode is not null && !PexipValues.TryParse(dto.CryptoMode, out crypto))
            return Task.FromResult(Bad("crypto_mode", "crypto_mode is besteffort, on, off or null (the global setting)"));
        var view = LayoutKinds.Default;
        if (dto.HostView is not null && !LayoutKinds.TryParseViewName(dto.HostView, out view))
            return Task.FromResult(Bad("host_view", "host_view is one_main_zero_pips, four_mains_zero_pips, one_main_seven_pips, one_main_twentyone_pips or two_mains_twentyone_pips"));
        if (dto.Aliases?.Any(a => a is null) == true)
            return Task.FromResult(Bad("aliases", "every alias is an object {\"alias\": ...}"));

        return Task.FromResult<(VirtualMeetingRoom?, IResult?)>((new VirtualMeetingRoom(dto.Name)
        {
            Description = dto.Description ?? "",
            Aliases = (dto.Aliases ?? []).Select(a => new ServiceAlias(a.Alias ?? "", a.Description ?? "")).ToList(),
            HostPin = string.IsNullOrEmpty(dto.Pin) ? null : dto.Pin,
            GuestPin = string.IsNullOrEmpty(dto.GuestPin) ? null : dto.GuestPin,
            AllowGuests = dto.AllowGuests,
            GuestsCanPresent = dto.GuestsCanPresent,
            MaximumCallQuality = quality,
            ConferenceCapabilities = capabilities,
            MediaEncryption = crypto,
            ParticipantLimit = dto.ParticipantLimit,
            MaximumInboundCallBandwidthKbps = dto.MaxCallrateIn,
            MaximumOutboundCallBandwidthKbps = dto.MaxCallrateOut,
            ServiceTag = string.IsNullOrEmpty(dto.Tag) ? null : dto.Tag,
            View = view,
        }, null));
    }

    protected override async Task<ConfigurationWriteOutcome> CreateAsync(ConfigurationRepository repository, VirtualMeetingRoom value, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.CreateConferenceAsync(value, ct));

    protected override async Task<ConfigurationWriteOutcome> UpdateAsync(ConfigurationRepository repository, VirtualMeetingRoom value, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.UpdateConferenceAsync(value, expectedVersion, ct));

    protected override async Task<ConfigurationWriteOutcome> DeleteAsync(ConfigurationRepository repository, string name, long expectedVersion, CancellationToken ct) =>
        ConfigurationWriteOutcome.Of(await repository.DeleteConferenceAsync(name, expectedVersion, ct));
}

/// <summary>The management API's spellings of the domain's enumerations (Pexip's choice values).</summary>
public static class PexipValues
{
    public static string Of(MaximumCallQuality quality) => quality switch
    {
        MaximumCallQuality.Sd => "sd",
        MaximumCallQuality.Hd => "hd",
        _ => "fullhd",
    };

    public static string Of(ConferenceCapabilities capabilities) => capabilities switch
    {
        ConferenceCapabilities.AudioOnly => "audio",
        ConferenceCapabilities.MainVideoOnly => "video-only",
        _ => "video",
    };

    public static string Of(MediaEncryption encryption) => encryption switch
    {
        MediaEncryption.Required => "on",
        MediaEncryption.NoEncryption => "off",
        _ => "besteffort",
    };

    public static bool TryParse(string text, out MaximumCallQuality? quality)
    {
        quality = text switch { "sd" => MaximumCallQuality.Sd, "hd" => MaximumCallQuality.Hd, "fullhd" => MaximumCallQuality.FullHd, _ => null };
        return quality is not null;
    }

    public static bool TryParse(string text, out ConferenceCapabilities capabilities)
    {
        ConferenceCapabilities? parsed = text switch
        {
            "audio" => ConferenceCapabilities.AudioOnly,
            "video-only" => ConferenceCapabilities.MainVideoOnly,
            "video" => ConferenceCapabilities.MainVideoAndPresentation,
            _ => null,
        };
        capabilities = parsed ?? default;
        return parsed is not null;
    }

    public static bool TryParse(string text, out MediaEncryption? encryption)
    {
        encryption = text switch { "besteffort" => MediaEncryption.BestEffort, "on" => MediaEncryption.Required, "off" => MediaEncryption.NoEncryption, _ => null };
        return encryption is not null;
    }
}
