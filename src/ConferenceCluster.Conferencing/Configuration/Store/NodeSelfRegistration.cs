using System.Globalization;
using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Configuration.Store;

/// <summary>
/// What a silo says about itself as a Conferencing Node, published as Orleans silo metadata (<c>UseSiloMetadata</c>) so
/// every silo can describe a live node whose record has not reached its configuration view yet.
/// </summary>
public static class NodeMetadataKeys
{
    /// <summary>The node's system location (<c>Silo:Location</c>).</summary>
    public const string Location = "cc.location";

    /// <summary>transcoding | proxying (<c>Silo:Role</c>).</summary>
    public const string Role = "cc.role";

    /// <summary>The port of the node's HTTP endpoints (health, management and client APIs).</summary>
    public const string HttpPort = "cc.http-port";

    /// <summary>The node's media capacity as a number of audio-only calls (1/12 HD each, L1179).</summary>
    public const string CapacityAudioCalls = "cc.capacity-audio-calls";

    /// <summary>What the startup capacity check measured, in audio calls, before its headroom (absent when configured).</summary>
    public const string MeasuredAudioCalls = "cc.measured-audio-calls";

    /// <summary>What the startup capacity check's video measurement admits, in HD calls (720p decode + encode share; absent when configured).</summary>
    public const string MeasuredHdCalls = "cc.measured-hd-calls";

    /// <summary>Which Opus implementation the node's media runs (native libopus or the managed port), with its version.</summary>
    public const string Opus = "cc.opus";
}

/// <summary>
/// The Conferencing Node a silo says it is, from its metadata: name = silo name, <c>location</c>, <c>role</c>
/// (transcoding | proxying) and <c>capacity-audio-calls</c>. Used to self-register, and for a live silo whose record
/// has not reached this silo's configuration view yet.
/// </summary>
public static class NodeSelfRegistration
{
    public static ConferencingNode FromMetadata(string siloName, IReadOnlyDictionary<string, string> metadata, ConferencingOptions options)
    {
        var location = metadata.TryGetValue(NodeMetadataKeys.Location, out var l) && !string.IsNullOrWhiteSpace(l) ? l : options.DefaultLocation;
        var role = metadata.TryGetValue(NodeMetadataKeys.Role, out var r) ? ParseRole(r) : NodeRole.Transcoding;
        var audioCalls = metadata.TryGetValue(NodeMetadataKeys.CapacityAudioCalls, out var c)
                         && long.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
            ? parsed
            : options.DefaultCapacityAudioCalls;
        return new ConferencingNode(siloName, location, role, CapacityUnits.FromAudioCalls(audioCalls));
    }

    /// <summary>"transcoding" or "proxying" (also "proxy", "proxying_edge", "edge"); anything else is a transcoding node.</summary>
    public static NodeRole ParseRole(string? role) =>
        role?.Trim().ToLowerInvariant() switch
        {
            "proxying" or "proxy" or "proxying_edge" or "proxying-edge" or "edge" => NodeRole.Proxying,
            _ => NodeRole.Transcoding,
        };
}
