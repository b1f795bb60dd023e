using ConferenceCluster.Benchmarks.GrainCalls;

// dotnet run -c Release --project tests/ConferenceCluster.Benchmarks -- runtime [--seconds N] [--concurrency N]
var suite = args.FirstOrDefault() ?? "runtime";
switch (suite)
{
    case "runtime":
        await GrainCallBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine($"unknown suite '{suite}' (known: runtime)");
        return 2;
}
