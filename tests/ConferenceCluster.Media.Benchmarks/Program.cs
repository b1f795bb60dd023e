using BenchmarkDotNet.Running;

namespace ConferenceCluster.Media.Benchmarks;

public static class Program
{
    // BenchmarkDotNet: dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --filter '*' --job short
    // CPU-time probe:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --cpu-probe 200 10 50 100
    // Town hall:       dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --town-hall 10 100 500 1000 2000
    // Capacity check:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --capacity
    // Opus per frame:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --codec-frame 2
    // RTP load probe:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --rtp-load 10 10 50 100
    // Backplane CPU:   dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --backplane-cpu 500
    // Backplane hops:  dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --backplane-latency 25 [1]
    // WebRTC vs RTP:   dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --webrtc-load 10 20 50
    // SRTP per packet: dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --filter '*SrtpBenchmarks*'
    // Video load:      dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --video-load 10 10
    // Video latency:   dotnet run -c Release --project tests/ConferenceCluster.Media.Benchmarks -- --video-latency 20
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--cpu-probe")
        {
            CpuTimeProbe.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--town-hall")
        {
            TownHallProbe.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--capacity")
        {
            Console.WriteLine(Capacity.MediaCapacityCheck.Run());
            return;
        }

        if (args.Length > 0 && args[0] == "--codec-frame")
        {
            CodecFrameProbe.Run(args);
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

        if (args.Length > 0 && args[0] == "--webrtc-load")
        {
            WebRtc.WebRtcLoadProbe.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--video-load")
        {
            VideoLoadProbe.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--video-latency")
        {
            VideoLoadProbe.RunLatency(args);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
