using System.Reflection;
using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Runtime.Invocation;

/// <summary>How a grain method hands back its result.</summary>
internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>
/// One method of a grain interface as the runtime sees it: its wire name, parameter types, result type and
/// the adapters between the typed world of the interface and the boxed world of messages.
/// </summary>
internal sealed class GrainMethod
{
    private readonly Func<Task<object?>, object> _toDeclaredReturn;

    public GrainMethod(Type grainInterface, MethodInfo method)
    {
        Interface = grainInterface;
        Method = method;
        ParameterTypes = method.GetParameters().Select(p => p.ParameterType).ToArray();
        IsOneWay = method.GetCustomAttribute<OneWayAttribute>() is not null;
        WireName = $"{method.Name}({string.Join(",", ParameterTypes.Select(t => t.FullName ?? t.Name))})";

        var returnType = method.ReturnType;
        if (returnType == typeof(Task)) (ReturnKind, ResultType) = (ReturnKind.Task, null);
        else if (returnType == typeof(ValueTask)) (ReturnKind, ResultType) = (ReturnKind.ValueTask, null);
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            (ReturnKind, ResultType) = (ReturnKind.TaskOfT, returnType.GetGenericArguments()[0]);
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            (ReturnKind, ResultType) = (ReturnKind.ValueTaskOfT, returnType.GetGenericArguments()[0]);
        else
            throw new InvalidOperationException($"Grain method {grainInterface.Name}.{method.Name} must return Task, Task<T>, ValueTask or ValueTask<T>.");

        if (IsOneWay && ResultType is not null)
            throw new InvalidOperationException($"One-way grain method {grainInterface.Name}.{method.Name} cannot return a value.");

        _toDeclaredReturn = ReturnKind switch
        {
            ReturnKind.Task => t => t,
            ReturnKind.ValueTask => t => new ValueTask(t),
            ReturnKind.TaskOfT => CreateConverter(nameof(ToTaskOfT)),
            _ => CreateConverter(nameof(ToValueTaskOfT)),
        };
    }

    public Type Interface { get; }
    public MethodInfo Method { get; }
    public Type[] ParameterTypes { get; }
    public string WireName { get; }
    public bool IsOneWay { get; }
    public ReturnKind ReturnKind { get; }
    /// <summary>The T of Task&lt;T&gt;/ValueTask&lt;T&gt;, or null when the method returns no value.</summary>
    public Type? ResultType { get; }

    /// <summary>Turns the runtime's boxed result into the Task/ValueTask type the interface declares.</summary>
    public object ToDeclaredReturn(Task<object?> result) => _toDeclaredReturn(result);

    private Func<Task<object?>, object> CreateConverter(string name) =>
        typeof(GrainMethod).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(ResultType!)
            .CreateDelegate<Func<Task<object?>, object>>();

    private static object ToTaskOfT<T>(Task<object?> boxed)
    {
        if (boxed.IsCompletedSuccessfully)
            return Task.FromResult((T)boxed.Result!);
        return Unbox(boxed);

        static async Task<T> Unbox(Task<object?> t) => (T)(await t.ConfigureAwait(false))!;
    }

    private static object ToValueTaskOfT<T>(Task<object?> boxed)
    {
        if (boxed.IsCompletedSuccessfully)
            return new ValueTask<T>((T)boxed.Result!);
        return new ValueTask<T>((Task<T>)ToTaskOfT<T>(boxed));
    }
}
