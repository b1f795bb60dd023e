using System.Text.Json;
using System.Text.Json.Serialization;
using ConferenceCluster.Conferencing.Capacity;

namespace ConferenceCluster.Conferencing.Configuration.Store;

/// <summary>
/// Where the configuration lives in the cluster database (<c>IClusterDocumentStore</c>) and how it is spelled.
/// Collection names are the management API's resource names (DESIGN.md §6), so the API can map one to one.
/// </summary>
public static class ConfigurationCollections
{
    public const string SystemLocations = "system_location";
    public const string Nodes = "worker_vm";
    public const string Conferences = "conference";
    /// <summary>One document per alias (id = the alias lower-cased), naming its conference: the uniqueness index.</summary>
    public const string ConferenceAliases = "conference_alias";
    public const string Global = "global";
    public const string GlobalId = "global";

    /// <summary>snake_case like the management API, enums as strings, capacity as a plain number of units.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new CapacityUnitsJsonConverter() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException($"empty {typeof(T).Name} document");
}

/// <summary>Capacity units are an exact integer count (1 HD call = 24); store them as that number.</summary>
public sealed class CapacityUnitsJsonConverter : JsonConverter<CapacityUnits>
{
    public override CapacityUnits Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt64());

    public override void Write(Utf8JsonWriter writer, CapacityUnits value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

/// <summary>Who wrote a Conferencing Node record.</summary>
public enum NodeOrigin
{
    /// <summary>The silo registered itself from its metadata; it rewrites the record when its metadata changes.</summary>
    SelfRegistered,
    /// <summary>An operator created or edited the record; silos never overwrite it.</summary>
    Operator,
}

/// <summary>A <c>worker_vm</c> document: the node and who owns the record.</summary>
public sealed record NodeRecord(ConferencingNode Node, NodeOrigin Origin);

/// <summary>A <c>conference_alias</c> document: the alias as typed, the conference it leads to, and when it was claimed.</summary>
public sealed record AliasRecord(string Alias, string Conference, DateTimeOffset ClaimedAt);

/// <summary>A configuration object with the store version an update must quote (optimistic concurrency).</summary>
public sealed record Versioned<T>(T Value, long Version);
