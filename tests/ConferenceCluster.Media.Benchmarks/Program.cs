using BenchmarkDotNet.Running;

namespace ConferenceCluster.Media.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --filter '*' --job short
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
