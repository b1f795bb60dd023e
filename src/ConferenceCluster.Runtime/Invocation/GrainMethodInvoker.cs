using System.Linq.Expressions;
using System.Reflection;

namespace ConferenceCluster.Runtime.Invocation;

/// <summary>
/// Calls one interface method on a grain instance with boxed arguments and hands back a boxed result.
/// Compiled once per method from an expression tree, so a call costs a delegate invocation, not reflection.
/// </summary>
internal static class GrainMethodInvoker
{
    public delegate Task<object?> Invoker(object grain, object?[] arguments);

    public static Invoker Create(GrainMethod method)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            Expression.Convert(grain, method.Interface),
            method.Method,
            method.ParameterTypes.Select((type, i) =>
                (Expression)Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), type)));

        var adapter = method.ReturnKind switch
        {
            ReturnKind.Task => typeof(GrainMethodInvoker).GetMethod(nameof(FromTask), BindingFlags.NonPublic | BindingFlags.Static)!,
            ReturnKind.ValueTask => typeof(GrainMethodInvoker).GetMethod(nameof(FromValueTask), BindingFlags.NonPublic | BindingFlags.Static)!,
            ReturnKind.TaskOfT => typeof(GrainMethodInvoker).GetMethod(nameof(FromTaskOfT), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(method.ResultType!),
            _ => typeof(GrainMethodInvoker).GetMethod(nameof(FromValueTaskOfT), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(method.ResultType!),
        };
        return Expression.Lambda<Invoker>(Expression.Call(adapter, call), grain, arguments).Compile();
    }

    private static readonly Task<object?> CompletedNull = Task.FromResult<object?>(null);

    private static Task<object?> FromTask(Task task)
    {
        if (task.IsCompletedSuccessfully) return CompletedNull;
        return Await(task);

        static async Task<object?> Await(Task t)
        {
            await t.ConfigureAwait(false);
            return null;
        }
    }

    private static Task<object?> FromValueTask(ValueTask task) =>
        task.IsCompletedSuccessfully ? CompletedNull : FromTask(task.AsTask());

    private static Task<object?> FromTaskOfT<T>(Task<T> task)
    {
        if (task.IsCompletedSuccessfully) return Task.FromResult<object?>(task.Result);
        return Await(task);

        static async Task<object?> Await(Task<T> t) => await t.ConfigureAwait(false);
    }

    private static Task<object?> FromValueTaskOfT<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? Task.FromResult<object?>(task.Result) : FromTaskOfT(task.AsTask());
}
