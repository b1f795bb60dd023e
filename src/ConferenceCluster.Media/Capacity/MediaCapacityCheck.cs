using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Codecs.Opus;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Capacity;

/// <summary>Tunables of the startup capacity check.</summary>
public sealed class MediaCapacityCheckOptions
{
    /// <summary>Cores the media workers may use (the check measures one worker and scales).</summary>
    public int Cores { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Share of the measured media capacity the node promises (default 0.8). The rest (20 %) is explicit headroom for
    /// what the synthetic conference does not do: SIP signalling and the grains of every join, HTTP, garbage collection,
    /// RTCP bursts, and load that arrives faster than the ledger reacts. At 1.0 a full node would run its workers flat
    /// out. (The old check admitted 60 % of a codec-only figure, which missed everything but the codecs.)
    /// </summary>
    public double Headroom { get; set; } = 0.8;

    /// <summary>Synthetic conferences (default 10), each of <see cref="ConferenceSize"/> callers.</summary>
    public int Conferences { get; set; } = 10;

    /// <summary>Callers per synthetic conference (default 10, as the participant-surge benchmark's).</summary>
    public int ConferenceSize { get; set; } = 10;

    /// <summary>Callers talking in each conference (default 3); the others are silent.</summary>
    public int Talkers { get; set; } = 3;

    /// <summary>
    /// Every other conference is "WebRTC-like" (Opus with RFC 6464 levels and DTX) and the others "SIP-like" (G.711
    /// µ-law, no levels, every frame sent): both paths of the engine are in the measure.
    /// </summary>
    public bool MixCodecs { get; set; } = true;

    /// <summary>Warm-up before the first measured round (JIT tiers, jitter buffers settle).</summary>
    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One measured round.</summary>
    public TimeSpan Round { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rounds are repeated until two in a row agree within this (default 5 %) …</summary>
    public double Stability { get; set; } = 0.05;

    /// <summary>… or this many were run (default 6); the estimate is then the most expensive of the last two.</summary>
    public int MaxRounds { get; set; } = 6;

    /// <summary>UDP ports for the synthetic legs on 127.0.0.1 (default 61100–61999, above Linux's ephemeral range).</summary>
    public PortRange Ports { get; set; } = new(61100, 61999);
}

/// <summary>What the capacity check found, for the node's status (worker_vm) and its ledger.</summary>
/// <param name="AudioCalls">Admitted: the audio calls this node promises (<see cref="MeasuredAudioCalls"/> × <see cref="Headroom"/>).</param>
/// <param name="MicrosecondsPerCallFrame">Worker CPU per participant per 20 ms tick, end to end (receive, jitter buffer, decode, mix, encode, send).</param>
/// <param name="Cores">Cores the workers may use.</param>
/// <param name="Measured">How long the check ran.</param>
/// <param name="MeasuredAudioCalls">Participants the workers would carry on all cores at 100 % CPU.</param>
/// <param name="Headroom">The share of <see cref="MeasuredAudioCalls"/> admitted.</param>
/// <param name="Rounds">Measured rounds until two agreed.</param>
/// <param name="Stable">Whether two rounds in a row agreed within the tolerance.</param>
/// <param name="Opus">The Opus implementation the node runs (native or managed), which the figure depends on.</param>
public sealed record MediaCapacityEstimate(
    long AudioCalls,
    double MicrosecondsPerCallFrame,
    int Cores,
    TimeSpan Measured,
    long MeasuredAudioCalls,
    double Headroom,
    int Rounds,
    bool Stable,
    OpusImplementation Opus);

/// <summary>
/// Pexip's startup capacity check (seed R60, L1185): "On startup, each Conferencing Node runs an internal capacity
/// check", translated into an estimated maximum number of calls. Ours runs a short synthetic load through the real
/// engine: conferences of callers on 127.0.0.1 (talkers and silent ones; Opus with levels and DTX, and G.711 without)
/// through one media worker, its sockets, jitter buffers, decoders, the mixer with its shared encodes, and RTP out;
/// it measures the worker thread's CPU per participant, repeats until two rounds agree, and scales to the node's cores
/// with an explicit headroom.
/// </summary>
public static class MediaCapacityCheck
{
    public static MediaCapacityEstimate Run(MediaCapacityCheckOptions? options = null)
    {
        options ??= new MediaCapacityCheckOptions();
        if (options.Headroom is <= 0 or > 1 || double.IsNaN(options.Headroom))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Headroom, "Headroom is a share in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Cores, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRounds, 2);
        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<MediaCapacityEstimate> RunAsync(MediaCapacityCheckOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var engine = new MediaEngine(new MediaOptions
        {
            WorkerCount = 1,
            BindAddress = IPAddress.Loopback,
            PortRange = options.Ports,
            ConferenceSpreadThreshold = int.MaxValue,
        });
        using var callers = await SyntheticCallers.JoinAsync(engine, options).ConfigureAwait(false);
        MediaWorker worker = engine.Workers[0];
        callers.Start();
        Thread.Sleep(options.Warmup);
        var perParticipant = new List<double>();
        bool stable = false;
        while (perParticipant.Count < options.MaxRounds && !stable)
        {
            MediaWorkerStatistics before = worker.GetStatistics();
            long start = Stopwatch.GetTimestamp();
            Thread.Sleep(options.Round);
            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            MediaWorkerStatistics after = worker.GetStatistics();
            double cpu = (after.ThreadCpuTime - before.ThreadCpuTime).TotalSeconds;
            if (cpu <= 0)
            {
                // No per-thread CPU clock here: fall back to the worker's busy time, an upper bound.
                cpu = (after.BusyTime - before.BusyTime).TotalSeconds;
            }

            perParticipant.Add(cpu / wall / callers.Count);
            int n = perParticipant.Count;
            stable = n >= 2 && Math.Abs(perParticipant[n - 1] - perParticipant[n - 2]) <= options.Stability * Math.Max(perParticipant[n - 1], perParticipant[n - 2]);
        }

        callers.Stop();
        int last = perParticipant.Count;
        double coresPerParticipant = Math.Max(perParticipant[last - 1], perParticipant[last - 2]);
        long measured = (long)Math.Floor(options.Cores / Math.Max(coresPerParticipant, 1e-9));
        long admitted = Math.Max(1, (long)Math.Floor(measured * options.Headroom));
        double microsecondsPerFrame = coresPerParticipant * AudioFormat.FrameMilliseconds * 1000;
        return new MediaCapacityEstimate(admitted, microsecondsPerFrame, options.Cores, stopwatch.Elapsed, measured, options.Headroom,
            last, stable, OpusCodecs.Implementation);
    }
}
