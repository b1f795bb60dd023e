using System.Reflection;
using ConferenceCluster.Runtime.Activation;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Runtime.Invocation;

/// <summary>Where new activations of a grain class go.</summary>
public enum PlacementStrategy
{
    PreferLocal,
    HashBased,
    SiloPinned,
}

/// <summary>A grain class registered on a silo: the interface it implements, its placement, its invokers.</summary>
internal sealed class GrainClassMetadata
{
    private readonly Dictionary<string, (GrainMethod Method, GrainMethodInvoker.Invoker Invoker)> _invokers = new(StringComparer.Ordinal);

    public GrainClassMetadata(GrainInterfaceMetadata grainInterface, Type implementation)
    {
        if (!typeof(Grain).IsAssignableFrom(implementation) || !grainInterface.Interface.IsAssignableFrom(implementation) || implementation.IsAbstract)
            throw new ArgumentException($"{implementation} must be a concrete Grain implementing {grainInterface.Interface}.");
        Interface = grainInterface;
        Implementation = implementation;
        Placement = PlacementOf(implementation);
        var ageLimit = implementation.GetCustomAttribute<CollectionAgeLimitAttribute>();
        CollectionAge = ageLimit is null ? TimeSpan.Zero : ageLimit.Age;
        foreach (var method in grainInterface.Interface.GetInterfaces().Append(grainInterface.Interface).SelectMany(i => i.GetMethods()))
        {
            var grainMethod = grainInterface.Get(method);
            _invokers[grainMethod.WireName] = (grainMethod, GrainMethodInvoker.Create(grainMethod));
        }
    }

    public GrainInterfaceMetadata Interface { get; }
    public Type Implementation { get; }
    public PlacementStrategy Placement { get; }
    /// <summary>Zero: use the silo's default; null: never collected; else this class's idle age.</summary>
    public TimeSpan? CollectionAge { get; }
    /// <summary>Pinned grains live and die with their silo and are not registered in the directory.</summary>
    public bool UsesDirectory => Placement != PlacementStrategy.SiloPinned;

    public bool TryGetInvoker(string wireName, out GrainMethod method, out GrainMethodInvoker.Invoker invoker)
    {
        if (_invokers.TryGetValue(wireName, out var entry))
        {
            (method, invoker) = entry;
            return true;
        }
        (method, invoker) = (null!, null!);
        return false;
    }

    private static PlacementStrategy PlacementOf(Type implementation) =>
        implementation.GetCustomAttribute<PlacementAttribute>(inherit: true) switch
        {
            SiloPinnedPlacementAttribute => PlacementStrategy.SiloPinned,
            HashBasedPlacementAttribute => PlacementStrategy.HashBased,
            _ => PlacementStrategy.PreferLocal,
        };
}

/// <summary>The grain classes a silo can activate, by grain type name (= interface full name).</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<string, GrainClassMetadata> _classes = new(StringComparer.Ordinal);

    public void Add(Type grainInterface, Type implementation)
    {
        var metadata = new GrainClassMetadata(GrainInterfaceRegistry.Get(grainInterface), implementation);
        _classes[metadata.Interface.TypeName] = metadata;
    }

    /// <summary>Registers every concrete Grain class of the assembly under each grain interface it implements.</summary>
    public void AddAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t)))
        {
            foreach (var grainInterface in type.GetInterfaces().Where(i => i != typeof(IGrainWithStringKey) && typeof(IGrainWithStringKey).IsAssignableFrom(i)))
                Add(grainInterface, type);
        }
    }

    internal bool TryGet(string grainType, out GrainClassMetadata metadata) => _classes.TryGetValue(grainType, out metadata!);

    public IEnumerable<string> GrainTypes => _classes.Keys;
}
