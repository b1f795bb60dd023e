using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ConferenceCluster.Deploy.Tests;

/// <summary>
/// YAML documents as plain object graphs (mappings are <see cref="Dictionary{TKey,TValue}"/> of object, sequences
/// lists, scalars strings), with merge keys (<c>&lt;&lt;: *anchor</c>) resolved as Docker Compose resolves them.
/// </summary>
public static class Yaml
{
    public static IReadOnlyList<Dictionary<object, object>> LoadAll(string text)
    {
        var parser = new MergingParser(new Parser(new StringReader(text)));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<Dictionary<object, object>>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize<object?>(parser) is Dictionary<object, object> document)
                documents.Add(document);
        }
        return documents;
    }

    public static Dictionary<object, object> Load(string text) =>
        LoadAll(text) is [var only] ? only : throw new InvalidDataException("expected exactly one YAML document");

    public static Dictionary<object, object>? Map(this Dictionary<object, object>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value as Dictionary<object, object> : null;

    public static List<object> Seq(this Dictionary<object, object>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) && value is List<object> list ? list : [];

    public static string? Str(this Dictionary<object, object>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value as string : null;

    public static IEnumerable<Dictionary<object, object>> Maps(this List<object> list) => list.OfType<Dictionary<object, object>>();
}
