using System.Diagnostics;
using System.Text;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>
/// The <c>command</c> provider: operator-configured shell commands (e.g. a cloud CLI) list, start and stop instances;
/// see <see cref="CommandProviderOptions"/> for the output format, environment and exit codes.
/// </summary>
public sealed class CommandNodeProvider(CommandProviderOptions options, TimeProvider time) : IOverflowNodeProvider
{
    public const int ExitAuthenticationFailure = 77;
    public const int ExitUnauthorizedInstance = 78;
    public const int ExitUnauthorizedRegion = 79;

    public async Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var output = await RunAsync(options.ListCommand, "list", null, cancellationToken).ConfigureAwait(false);
        var instances = new List<CloudInstance>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5 || !TryParseState(fields[2], out var state))
                throw new BurstingProviderException(BurstingFailureKind.Other,
                    $"list command printed \"{line}\"; expected \"id name state address tag\" with state stopped|starting|running|stopping");
            instances.Add(new CloudInstance(fields[0], fields[1], Field(fields[3]), state, Field(fields[4])));
        }
        return instances;
    }

    public Task StartAsync(CloudInstance instance, CancellationToken cancellationToken) =>
        RunAsync(options.StartCommand, "start", instance, cancellationToken);

    public Task StopAsync(CloudInstance instance, CancellationToken cancellationToken) =>
        RunAsync(options.StopCommand, "stop", instance, cancellationToken);

    private static string? Field(string text) => text == "-" ? null : text;

    private static bool TryParseState(string text, out CloudInstanceState state) =>
        Enum.TryParse(text, ignoreCase: true, out state) && Enum.IsDefined(state);

    private async Task<string> RunAsync(string command, string what, CloudInstance? instance, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(command))
            throw new BurstingProviderException(BurstingFailureKind.Other, $"no {what} command is configured (Operations:Bursting:Command)");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        // The instance goes in the environment, not into the command text: no quoting, no injection.
        if (instance is not null)
        {
            start.Environment["CC_INSTANCE_ID"] = instance.Id;
            start.Environment["CC_INSTANCE_NAME"] = instance.Name;
        }
        using var process = Process.Start(start) ?? throw new BurstingProviderException(BurstingFailureKind.Other, $"the {what} command did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(options.CommandTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new BurstingProviderException(BurstingFailureKind.Other, $"the {what} command did not finish within {options.CommandTimeout}");
        }
        var output = await stdout.ConfigureAwait(false);
        var error = (await stderr.ConfigureAwait(false)).Trim();
        var message = new StringBuilder($"the {what} command exited with {process.ExitCode}");
        if (error.Length > 0) message.Append(": ").Append(error);
        return process.ExitCode switch
        {
            0 => output,
            ExitAuthenticationFailure => throw new BurstingProviderException(BurstingFailureKind.Authentication, message.ToString()),
            ExitUnauthorizedInstance => throw new BurstingProviderException(BurstingFailureKind.UnauthorizedInstance, message.ToString()),
            ExitUnauthorizedRegion => throw new BurstingProviderException(BurstingFailureKind.UnauthorizedRegion, message.ToString()),
            _ => throw new BurstingProviderException(BurstingFailureKind.Other, message.ToString()),
        };
    }
}
