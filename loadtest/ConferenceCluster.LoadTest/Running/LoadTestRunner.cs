using ConferenceCluster.LoadTest.Participants;
using ConferenceCluster.LoadTest.Reporting;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.LoadTest.Running;

/// <summary>Where a run is, for the live display.</summary>
public sealed record RunProgress(double ElapsedSeconds, double PlannedSeconds, int Attempted, int Joined, int Failed, int InConference, int Planned,
    long PacerLateFrames, IReadOnlyDictionary<int, double> TargetCpuPercent);

/// <summary>
/// Runs one load test: plans the participants and their joins, drives the schedule (ramp, hold, churn, surge),
/// and at the end (the planned end, the hard duration or cancellation, whichever comes first) hangs every call up
/// with a BYE and builds the report. All participants share one SIP agent and one media pacer.
/// </summary>
public sealed class LoadTestRunner
{
    /// <summary>How long the end of a run waits for BYEs to be answered and pending INVITEs to finish.</summary>
    public static readonly TimeSpan HangUpTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ScheduleTick = TimeSpan.FromMilliseconds(10);

    private readonly LoadTestOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ParticipantSettings _settings;
    private readonly Random _random = new(7); // churn picks are reproducible
    private readonly HashSet<SimulatedParticipant> _churning = [];
    private IReadOnlyList<SimulatedParticipant> _participants = [];
    private RunClock? _clock;
    private MediaPacer? _pacer;
    private ProcessCpuSampler? _cpu;
    private int _peakInConference;

    public LoadTestRunner(LoadTestOptions options, ILoggerFactory? loggerFactory = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid load test options: " + string.Join(" ", errors), nameof(options));
        _options = options;
        _loggerFactory = loggerFactory;
        _settings = new ParticipantSettings
        {
            BindAddress = options.BindAddress,
            AdvertisedAddress = options.EffectiveAdvertisedAddress,
            Codec = options.Codec,
            AudioLevels = options.Codec == LoadCodec.Opus && options.AudioLevels,
            Dtx = options.Codec == LoadCodec.Opus && options.Dtx,
        };
    }

    public LoadTestOptions Options => _options;

    /// <summary>A snapshot for the live display; safe from any thread while <see cref="RunAsync"/> runs.</summary>
    public RunProgress Progress()
    {
        var participants = _participants;
        var attempts = participants.Sum(p => p.Attempts.Count);
        var joined = participants.Sum(p => p.Attempts.Count(a => a.Admitted));
        return new RunProgress(_clock is null ? 0 : _clock.NowMs / 1000, RunPlanner.PlannedEnd(_options).TotalSeconds, attempts, joined, attempts - joined,
            participants.Count(p => p.IsInConference), participants.Count, _pacer?.LateTicks ?? 0, _cpu?.Latest ?? new Dictionary<int, double>());
    }

    /// <summary>
    /// Runs to the end. Cancelling <paramref name="cancellationToken"/> (Ctrl-C) ends the run early the same way:
    /// every call gets its BYE and the report says it was interrupted.
    /// </summary>
    public async Task<LoadTestReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var plans = RunPlanner.PlanParticipants(_options);
        var joins = RunPlanner.PlanJoins(_options);
        var plannedEndMs = RunPlanner.PlannedEnd(_options).TotalMilliseconds;
        // The load generator's own CPU beside the targets': when it saturates first, the run measured this machine, not the cluster.
        _cpu = new ProcessCpuSampler([.. _options.CpuPids, Environment.ProcessId]);
        await using var agent = new LoadTestSipAgent(_options.BindAddress, _options.EffectiveAdvertisedAddress, _options.TotalParticipants + 16, _loggerFactory);
        using var pacer = new MediaPacer(TimeSpan.FromMilliseconds(20));
        _pacer = pacer;
        var clock = new RunClock();
        _clock = clock;
        var settings = _settings with { Talk = new TalkSchedule(_options, plans) };
        _participants = plans.Select(p => new SimulatedParticipant(p, agent, pacer, clock, settings)).ToList();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(_options.Duration); // the hard bound, whatever the schedule says
        var pending = new List<Task>();
        var nextJoin = 0;
        var nextChurnMs = _options.Profile == LoadProfile.Churn ? _options.Ramp.TotalMilliseconds + 1000 / _options.ChurnPerSecond : double.PositiveInfinity;
        var nextCpuSampleMs = 1000.0;
        try
        {
            while (!stop.IsCancellationRequested && clock.NowMs < plannedEndMs)
            {
                var now = clock.NowMs;
                while (nextJoin < joins.Count && joins[nextJoin].AtMs <= now)
                    pending.Add(JoinAsync(_participants[joins[nextJoin++].Participant], stop.Token));
                while (nextChurnMs <= now)
                {
                    pending.Add(ChurnOnceAsync(stop.Token));
                    nextChurnMs += 1000 / _options.ChurnPerSecond;
                }
                if (now >= nextCpuSampleMs)
                {
                    _cpu.Sample();
                    nextCpuSampleMs += 1000;
                }
                _peakInConference = Math.Max(_peakInConference, _participants.Count(p => p.IsInConference));
                pending.RemoveAll(t => t.IsCompleted);
                await Task.Delay(ScheduleTick, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            // Stop joining (outstanding INVITEs are CANCELled), then hang everyone up.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(Task.WhenAll(pending), Task.Delay(HangUpTimeout, CancellationToken.None)).ConfigureAwait(false);
        }
        var elapsed = clock.NowMs;
        await Task.WhenAll(_participants.Select(p => p.LeaveAsync(HangUpTimeout))).ConfigureAwait(false);
        return ReportBuilder.Build(_options, _participants,
            new RunFacts(elapsed, _peakInConference, pacer.LateTicks, _cpu.Summary(), cancellationToken.IsCancellationRequested));
    }

    private static async Task JoinAsync(SimulatedParticipant participant, CancellationToken cancellationToken)
    {
        try
        {
            await participant.JoinAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run ended while this one was joining: LeaveAsync hangs up whatever got through.
        }
    }

    /// <summary>One churn step: a random participant in its conference leaves, and rejoins after the pause.</summary>
    private async Task ChurnOnceAsync(CancellationToken cancellationToken)
    {
        SimulatedParticipant? leaving;
        lock (_churning)
        {
            var candidates = _participants.Where(p => p.IsInConference && !_churning.Contains(p)).ToList();
            leaving = candidates.Count == 0 ? null : candidates[_random.Next(candidates.Count)];
            if (leaving is not null) _churning.Add(leaving);
        }
        if (leaving is null) return;
        try
        {
            await leaving.LeaveAsync(HangUpTimeout).ConfigureAwait(false);
            await Task.Delay(_options.ChurnPause, cancellationToken).ConfigureAwait(false);
            await JoinAsync(leaving, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run ended during the pause.
        }
        finally
        {
            lock (_churning) _churning.Remove(leaving);
        }
    }
}
