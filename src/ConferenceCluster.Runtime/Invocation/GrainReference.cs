using System.Reflection;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Runtime.Invocation;

/// <summary>Where grain references send their calls: a silo's router, or a client's gateway connection.</summary>
internal interface IGrainCallInvoker
{
    Task<object?> InvokeAsync(GrainId grainId, GrainMethod method, object?[] arguments);
}

/// <summary>
/// The typed reference a caller holds (Orleans generates these; we use DispatchProxy): it turns each interface
/// call into a runtime call and the boxed result back into the declared Task type.
/// </summary>
public class GrainReference : DispatchProxy, IAddressable
{
    private GrainInterfaceMetadata _interface = null!;
    private IGrainCallInvoker _invoker = null!;

    public GrainId GrainId { get; private set; }

    internal void Initialize(GrainInterfaceMetadata grainInterface, GrainId grainId, IGrainCallInvoker invoker)
    {
        _interface = grainInterface;
        GrainId = grainId;
        _invoker = invoker;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.DeclaringType == typeof(IAddressable))
            return GrainId;
        var method = _interface.Get(targetMethod);
        return method.ToDeclaredReturn(_invoker.InvokeAsync(GrainId, method, args ?? []));
    }

    public override string ToString() => $"GrainReference({GrainId})";
}

/// <summary>
/// Creates typed grain references for one invoker (a silo or a client). References are cheap and not cached:
/// a cache keyed by grain id would grow with every participant ever seen.
/// </summary>
internal sealed class GrainFactory(IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        var metadata = GrainInterfaceRegistry.Get(typeof(TGrainInterface));
        var proxy = DispatchProxy.Create(typeof(TGrainInterface), typeof(GrainReference));
        ((GrainReference)proxy).Initialize(metadata, new GrainId(metadata.TypeName, key), invoker);
        return (TGrainInterface)proxy;
    }
}
