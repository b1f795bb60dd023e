using System.Collections.Concurrent;
using System.Reflection;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Runtime.Invocation;

/// <summary>The methods of each grain interface, keyed by CLR method and by wire name; built once per interface.</summary>
internal sealed class GrainInterfaceMetadata
{
    private readonly Dictionary<MethodInfo, GrainMethod> _byMethod = new();
    private readonly Dictionary<string, GrainMethod> _byWireName = new(StringComparer.Ordinal);

    public GrainInterfaceMetadata(Type grainInterface)
    {
        if (!grainInterface.IsInterface || !typeof(IGrainWithStringKey).IsAssignableFrom(grainInterface))
            throw new ArgumentException($"{grainInterface} is not a grain interface (an interface deriving from IGrainWithStringKey).");
        Interface = grainInterface;
        TypeName = grainInterface.FullName!;
        foreach (var type in grainInterface.GetInterfaces().Append(grainInterface))
        {
            foreach (var method in type.GetMethods())
            {
                var grainMethod = new GrainMethod(grainInterface, method);
                _byMethod[method] = grainMethod;
                _byWireName[grainMethod.WireName] = grainMethod;
            }
        }
    }

    public Type Interface { get; }
    /// <summary>The grain type name used in grain ids and on the wire.</summary>
    public string TypeName { get; }

    public GrainMethod Get(MethodInfo method) => _byMethod[method];

    public bool TryGet(string wireName, out GrainMethod method) => _byWireName.TryGetValue(wireName, out method!);
}

/// <summary>Process-wide cache of interface metadata; interfaces are found by type name when a message names one.</summary>
internal static class GrainInterfaceRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceMetadata> ByType = new();
    private static readonly ConcurrentDictionary<string, GrainInterfaceMetadata> ByName = new(StringComparer.Ordinal);

    public static GrainInterfaceMetadata Get(Type grainInterface) =>
        ByType.GetOrAdd(grainInterface, static t =>
        {
            var metadata = new GrainInterfaceMetadata(t);
            ByName[metadata.TypeName] = metadata;
            return metadata;
        });

    public static bool TryGet(string typeName, out GrainInterfaceMetadata metadata) => ByName.TryGetValue(typeName, out metadata!);
}
