using BenchmarkDotNet.Running;

namespace ConferenceCluster.Media.Benchmarks;

public static class Program
{
    // BenchmarkDotNet: dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --filter '*' --job short
    // CPU-time probe:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --cpu-probe 200 10 50 100
    // RTP load probe:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --rtp-load 10 10 50 100
    // Backplane CPU:   dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --backplane-cpu 500
    // Backplane hops:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --backplane-latency 25 [1]
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--cpu-probe")
        {
            CpuTimeProbe.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--rtp-load")
        {
            RtpLoadProbe.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--backplane-cpu")
        {
            BackplaneTickBenchmarks.RunCpuProbe(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--backplane-latency")
        {
            BackplaneLatencyProbe.Run(args);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
