using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using ConferenceCluster.LoadTest.Reporting;
using ConferenceCluster.LoadTest.Running;

namespace ConferenceCluster.LoadTest.Cli;

/// <summary>
/// The command line (System.CommandLine): every option of <see cref="LoadTestOptions"/>, parsed and validated
/// before anything is sent. Bad options print one line per problem, naming the option, and exit with
/// <see cref="ExitCodes.BadOptions"/>; a run below the --require thresholds exits with <see cref="ExitCodes.BelowThreshold"/>,
/// one stopped by Ctrl-C with <see cref="ExitCodes.Interrupted"/> (after its BYEs and its report).
/// </summary>
public static class LoadTestCommandLine
{
    /// <summary>After Ctrl-C, how long the run may take to send its BYEs and write the report before the process is ended.</summary>
    private static readonly TimeSpan ShutdownGrace = LoadTestRunner.HangUpTimeout * 2;

    public static class ExitCodes
    {
        public const int Success = 0;
        public const int BelowThreshold = 1;
        public const int BadOptions = 2;

        /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it); the calls were hung up and the report written.</summary>
        public const int Interrupted = 130;
    }

    private static readonly Option<LoadProfile> ProfileOption = new("--profile", "-p")
    {
        Description = "ramp: N join M conferences over --ramp, stay --hold, leave. hold: stay until --duration. churn: hold, and leave/rejoin at --churn-rate. surge: hold, plus --surge extra joins at --surge-at over --surge-over.",
        DefaultValueFactory = _ => LoadProfile.Ramp,
        HelpName = "ramp|hold|churn|surge",
    };

    private static readonly Option<int> ParticipantsOption = new("--participants", "-n") { Description = "Participants of the steady load (N).", DefaultValueFactory = _ => 10 };
    private static readonly Option<int> ConferencesOption = new("--conferences", "-m") { Description = "Conferences they are dealt over (M).", DefaultValueFactory = _ => 1 };
    private static readonly Option<double> RampOption = new("--ramp") { Description = "Seconds over which the steady load joins (T).", DefaultValueFactory = _ => 5 };
    private static readonly Option<double> HoldOption = new("--hold") { Description = "Ramp profile: seconds everyone stays after the last join.", DefaultValueFactory = _ => 5 };
    private static readonly Option<double> DurationOption = new("--duration", "-d") { Description = "Hard limit of the run in seconds (at most 3600): then every call gets its BYE.", DefaultValueFactory = _ => 60 };
    private static readonly Option<int> MaxParticipantsOption = new("--max-participants") { Description = "Hard limit of participants (steady plus surge); a bigger plan is refused.", DefaultValueFactory = _ => 1000 };
    private static readonly Option<int> TalkersOption = new("--talkers") { Description = "Talkers per conference: the first K to join send their own tone, the rest silence. At most --mixed-speakers.", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> MixedSpeakersOption = new("--mixed-speakers") { Description = "How many speakers the cluster's mixer mixes (its N loudest).", DefaultValueFactory = _ => 4 };
    private static readonly Option<string> AliasFormatOption = new("--alias-format") { Description = "Alias dialled for conference c; {0} is c (from 1).", DefaultValueFactory = _ => "loadtest{0}" };
    private static readonly Option<string[]> TargetOption = new("--target", "-t") { Description = "A silo's SIP address, host:port or location=host:port. Repeat for several.", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<TargetMode> TargetModeOption = new("--target-mode") { Description = "round-robin: participant i calls target i mod T. per-location: each conference is dialled in one location.", DefaultValueFactory = _ => TargetMode.RoundRobin, CustomParser = ParseTargetMode, HelpName = "round-robin|per-location" };
    private static readonly Option<string?> FrontDoorOption = new("--front-door") { Description = "A SIP proxy (Kamailio) host:port every INVITE goes to instead of the silos." };
    private static readonly Option<string?> DomainOption = new("--domain") { Description = "Request-URI host when calling through --front-door." };
    private static readonly Option<string?> HostPinOption = new("--host-pin") { Description = "The rooms' host PIN: participants key it (RFC 4733) on the PIN entry screen." };
    private static readonly Option<string?> GuestPinOption = new("--guest-pin") { Description = "The rooms' guest PIN." };
    private static readonly Option<double> GuestRatioOption = new("--guest-ratio") { Description = "Fraction of participants keying the guest PIN (0-1).", DefaultValueFactory = _ => 0 };
    private static readonly Option<double> ChurnRateOption = new("--churn-rate") { Description = "Churn profile: participants leaving and rejoining per second.", DefaultValueFactory = _ => 1 };
    private static readonly Option<double> ChurnPauseOption = new("--churn-pause") { Description = "Churn profile: seconds a participant stays away.", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> SurgeOption = new("--surge") { Description = "Surge profile: extra participants of the spike.", DefaultValueFactory = _ => 0 };
    private static readonly Option<double> SurgeAtOption = new("--surge-at") { Description = "Surge profile: seconds from the start when the spike begins.", DefaultValueFactory = _ => 10 };
    private static readonly Option<double> SurgeOverOption = new("--surge-over") { Description = "Surge profile: seconds over which the spike joins.", DefaultValueFactory = _ => 2 };
    private static readonly Option<string> BindOption = new("--bind") { Description = "Local IPv4 address for SIP and RTP sockets.", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<string?> AdvertiseOption = new("--advertise") { Description = "Address the cluster reaches us on (SDP, Contact); defaults to --bind." };
    private static readonly Option<double> SettleOption = new("--settle") { Description = "Seconds the mix may take to follow a talker joining or leaving; not judged meanwhile.", DefaultValueFactory = _ => 1.5 };
    private static readonly Option<LoadCodec> CodecOption = new("--codec") { Description = "Voice codec: pcmu (a SIP phone) or opus (a WebRTC client, with levels and DTX).", DefaultValueFactory = _ => LoadCodec.Pcmu };
    private static readonly Option<bool> LevelsOption = new("--levels") { Description = "Opus: send RFC 6464 audio levels (when the answer accepts them).", DefaultValueFactory = _ => true };
    private static readonly Option<bool> DtxOption = new("--dtx") { Description = "Opus: silent participants use DTX (a packet every 400 ms).", DefaultValueFactory = _ => true };
    private static readonly Option<TalkPattern> TalkOption = new("--talk") { Description = "steady: the first K talk all the time; turns: K at a time, the next K every --turn seconds.", DefaultValueFactory = _ => TalkPattern.Steady };
    private static readonly Option<double> TurnOption = new("--turn") { Description = "Turns: seconds each set of talkers talks.", DefaultValueFactory = _ => 10 };
    private static readonly Option<int[]> CpuPidOption = new("--cpu-pid") { Description = "Pid of a local silo whose CPU to show and report. Repeat for several." };
    private static readonly Option<FileInfo?> ReportOption = new("--report") { Description = "Write the final report as JSON to this file." };
    private static readonly Option<double?> RequireOption = new("--require") { Description = "Exit 1 unless joins and mix-correct participants are both at least this fraction (e.g. 0.999)." };
    private static readonly Option<bool> QuietOption = new("--quiet", "-q") { Description = "No live display: a progress line every 5 s." };

    public static RootCommand Create(TextWriter? output = null)
    {
        var root = new RootCommand("ConferenceCluster load tester: simulated SIP participants with real RTP that check what they hear.")
        {
            ProfileOption, ParticipantsOption, ConferencesOption, RampOption, HoldOption, DurationOption, MaxParticipantsOption, TalkersOption,
            MixedSpeakersOption, AliasFormatOption, TargetOption, TargetModeOption, FrontDoorOption, DomainOption, HostPinOption, GuestPinOption,
            GuestRatioOption, ChurnRateOption, ChurnPauseOption, SurgeOption, SurgeAtOption, SurgeOverOption, BindOption, AdvertiseOption,
            SettleOption, CodecOption, LevelsOption, DtxOption, TalkOption, TurnOption, CpuPidOption, ReportOption, RequireOption, QuietOption,
        };
        root.SetAction(async (parseResult, cancellationToken) =>
        {
            // Checked here rather than in a validator: only a finished parse has the defaults filled in.
            var errors = ToOptions(parseResult, out var options);
            if (errors.Count > 0)
            {
                var error = parseResult.InvocationConfiguration.Error;
                foreach (var problem in errors) await error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                await error.WriteLineAsync("Run with --help for the options.").ConfigureAwait(false);
                return ExitCodes.BadOptions;
            }
            var writer = output ?? parseResult.InvocationConfiguration.Output;
            return await RunAsync(options!, parseResult.GetValue(ReportOption), parseResult.GetValue(RequireOption), parseResult.GetValue(QuietOption),
                writer, cancellationToken).ConfigureAwait(false);
        });
        return root;
    }

    /// <summary>Parses, validates and runs; returns the exit code. Problems go to <paramref name="error"/>, one line each.</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = ShutdownGrace };
        if (output is not null) configuration.Output = output;
        if (error is not null) configuration.Error = error;
        var parsed = Create(output).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Our exit code for bad options, whatever the library's default is; one line per problem.
            var writer = error ?? Console.Error;
            foreach (var problem in parsed.Errors) writer.WriteLine("error: " + problem.Message);
            writer.WriteLine("Run with --help for the options.");
            return Task.FromResult(ExitCodes.BadOptions);
        }
        return parsed.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>Builds the options from a parse, returning every problem (option syntax first, then <see cref="LoadTestOptions.Validate"/>).</summary>
    /// <summary>Parses <paramref name="args"/> into options without running anything; the errors name their options.</summary>
    public static IReadOnlyList<string> TryParse(string[] args, out LoadTestOptions? options)
    {
        var result = Create().Parse(args);
        if (result.Errors.Count > 0)
        {
            options = null;
            return result.Errors.Select(e => e.Message).ToList();
        }
        return ToOptions(result, out options);
    }

    private static List<string> ToOptions(ParseResult result, out LoadTestOptions? options)
    {
        var errors = new List<string>();
        options = null;
        var targets = new List<SipTarget>();
        foreach (var text in result.GetValue(TargetOption) ?? [])
        {
            if (SipTarget.TryParse(text, out var target, out var error)) targets.Add(target!);
            else errors.Add($"--target {error}");
        }
        IPEndPoint? frontDoor = null;
        if (result.GetValue(FrontDoorOption) is { } door && !SipTarget.TryParseEndPoint(door, out frontDoor, out var doorError))
            errors.Add($"--front-door '{door}': {doorError}");
        if (!IPAddress.TryParse(result.GetValue(BindOption), out var bind) || bind.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            errors.Add($"--bind must be an IPv4 address (got '{result.GetValue(BindOption)}').");
        var seconds = new[] { (RampOption, "--ramp"), (HoldOption, "--hold"), (DurationOption, "--duration"), (ChurnPauseOption, "--churn-pause"),
            (SurgeAtOption, "--surge-at"), (SurgeOverOption, "--surge-over"), (SettleOption, "--settle"), (TurnOption, "--turn") };
        foreach (var (option, name) in seconds)
        {
            var value = result.GetValue(option);
            if (double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) > LoadTestOptions.LongestDuration.TotalSeconds * 2)
                errors.Add($"{name} must be a number of seconds (got {value.ToString(CultureInfo.InvariantCulture)}).");
        }
        if (result.GetValue(RequireOption) is { } require && require is < 0 or > 1) errors.Add($"--require must be between 0 and 1 (got {require.ToString(CultureInfo.InvariantCulture)}).");
        if (errors.Count > 0) return errors;

        options = new LoadTestOptions
        {
            Profile = result.GetValue(ProfileOption),
            Participants = result.GetValue(ParticipantsOption),
            Conferences = result.GetValue(ConferencesOption),
            Ramp = TimeSpan.FromSeconds(result.GetValue(RampOption)),
            Hold = TimeSpan.FromSeconds(result.GetValue(HoldOption)),
            Duration = TimeSpan.FromSeconds(result.GetValue(DurationOption)),
            MaxParticipants = result.GetValue(MaxParticipantsOption),
            TalkersPerConference = result.GetValue(TalkersOption),
            MixedSpeakers = result.GetValue(MixedSpeakersOption),
            AliasFormat = result.GetValue(AliasFormatOption)!,
            Targets = targets,
            TargetMode = result.GetValue(TargetModeOption),
            FrontDoor = frontDoor,
            Domain = result.GetValue(DomainOption),
            HostPin = result.GetValue(HostPinOption),
            GuestPin = result.GetValue(GuestPinOption),
            GuestRatio = result.GetValue(GuestRatioOption),
            ChurnPerSecond = result.GetValue(ChurnRateOption),
            ChurnPause = TimeSpan.FromSeconds(result.GetValue(ChurnPauseOption)),
            SurgeParticipants = result.GetValue(SurgeOption),
            SurgeAt = TimeSpan.FromSeconds(result.GetValue(SurgeAtOption)),
            SurgeOver = TimeSpan.FromSeconds(result.GetValue(SurgeOverOption)),
            BindAddress = bind!,
            AdvertisedAddress = result.GetValue(AdvertiseOption),
            Settle = TimeSpan.FromSeconds(result.GetValue(SettleOption)),
            Codec = result.GetValue(CodecOption),
            AudioLevels = result.GetValue(LevelsOption),
            Dtx = result.GetValue(DtxOption),
            TalkPattern = result.GetValue(TalkOption),
            TurnLength = TimeSpan.FromSeconds(result.GetValue(TurnOption)),
            CpuPids = result.GetValue(CpuPidOption) ?? [],
        };
        errors.AddRange(options.Validate());
        return errors;
    }

    private static TargetMode ParseTargetMode(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "round-robin" : result.Tokens[0].Value;
        switch (text.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant())
        {
            case "roundrobin":
                return TargetMode.RoundRobin;
            case "perlocation":
                return TargetMode.PerLocation;
            default:
                result.AddError($"--target-mode must be round-robin or per-location (got '{text}').");
                return TargetMode.RoundRobin;
        }
    }

    private static async Task<int> RunAsync(LoadTestOptions options, FileInfo? reportFile, double? require, bool quiet, TextWriter output,
        CancellationToken cancellationToken)
    {
        var runner = new LoadTestRunner(options);
        var run = runner.RunAsync(cancellationToken);
        await LiveProgress.ShowAsync(runner, run, quiet || Console.IsOutputRedirected || !ReferenceEquals(output, Console.Out), output).ConfigureAwait(false);
        var report = await run.ConfigureAwait(false);
        ReportWriter.WriteTable(report, output);
        if (reportFile is not null)
        {
            await ReportWriter.WriteJsonAsync(report, reportFile.FullName).ConfigureAwait(false);
            output.WriteLine($"Report written to {reportFile.FullName}");
        }
        if (report.Interrupted) return ExitCodes.Interrupted;
        if (require is { } threshold && (report.JoinSuccessRate < threshold || report.Mix.CorrectRate < threshold))
        {
            output.WriteLine($"Below --require {threshold.ToString(CultureInfo.InvariantCulture)}: joined {report.JoinSuccessRate:P2}, mix-correct {report.Mix.CorrectRate:P2}.");
            return ExitCodes.BelowThreshold;
        }
        return ExitCodes.Success;
    }
}
