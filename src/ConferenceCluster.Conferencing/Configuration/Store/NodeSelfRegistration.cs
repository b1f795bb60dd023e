using System.Globalization;
using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Runtime.Hosting;

namespace ConferenceCluster.Conferencing.Configuration.Store;

/// <summary>Silo metadata keys the conferencing layer reads, beyond the runtime's <see cref="SiloMetadataKeys"/>.</summary>
public static class ConferencingMetadataKeys
{
    /// <summary>The node's media capacity as a number of audio-only calls (1/12 HD each, L1179).</summary>
    public const string CapacityAudioCalls = "capacity-audio-calls";
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
        var location = metadata.TryGetValue(SiloMetadataKeys.Location, out var l) && !string.IsNullOrWhiteSpace(l) ? l : options.DefaultLocation;
        var role = metadata.TryGetValue(SiloMetadataKeys.Role, out var r) ? ParseRole(r) : NodeRole.Transcoding;
        var audioCalls = metadata.TryGetValue(ConferencingMetadataKeys.CapacityAudioCalls, out var c)
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
