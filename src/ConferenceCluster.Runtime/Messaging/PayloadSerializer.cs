using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConferenceCluster.Runtime.Messaging;

/// <summary>
/// Serializes grain call arguments, results and cluster events with System.Text.Json, each value by the type
/// the grain interface declares (both ends share the interface assembly, so no type names travel).
/// Grain argument and result types must be JSON-serializable: records, collections, primitives and enums.
/// </summary>
public static class PayloadSerializer
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        IncludeFields = true,
        Converters = { new JsonStringEnumConverter() },
    };

    internal static byte[] SerializeArguments(object?[] arguments, Type[] types)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < types.Length; i++)
                JsonSerializer.Serialize(writer, arguments[i], types[i], Options);
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    internal static object?[] DeserializeArguments(ReadOnlySpan<byte> body, Type[] types)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("arguments must be a JSON array");
        var arguments = new object?[types.Length];
        for (var i = 0; i < types.Length; i++)
        {
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                throw new JsonException($"expected {types.Length} arguments, got {i}");
            arguments[i] = JsonSerializer.Deserialize(ref reader, types[i], Options);
        }
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException($"expected {types.Length} arguments, got more");
        return arguments;
    }

    public static byte[] Serialize(object? value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public static object? Deserialize(ReadOnlySpan<byte> body, Type type) =>
        body.IsEmpty ? null : JsonSerializer.Deserialize(body, type, Options);
}
