using System.Diagnostics;
using ConferenceCluster.Storage.Tests.Documents;
using ConferenceCluster.Storage.Tests.Orleans;

namespace ConferenceCluster.Storage.Tests;

/// <summary>
/// The test assembly run as a program, for tests that need other OS processes: <c>silo ...</c> runs a silo until it is
/// killed (<see cref="SiloProcess"/>); anything else is a document store process (<see cref="StoreProcess"/>).
/// </summary>
public static class TestProgram
{
    public static Task<int> Main(string[] args) =>
        args is ["silo", .. var siloArgs] ? SiloProcess.RunChildAsync(siloArgs) : StoreProcess.RunChildAsync(args);

    /// <summary>Starts this assembly again as a program with <paramref name="args"/>, its standard streams redirected.</summary>
    public static Process StartChild(params string[] args)
    {
        // Under `dotnet test` the SDK names its own host; the test assembly is a framework-dependent program it can run.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(TestProgram).Assembly.Location);
        foreach (var argument in args)
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {host}");
    }
}
