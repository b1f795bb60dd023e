using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace ConferenceCluster.Conferencing.Operations.Bursting;

/// <summary>
/// The <c>process</c> provider: each overflow node is a local silo process (<see cref="ProcessNodeSpec"/>), started with
/// its arguments (the silo's configuration keys as <c>--Key=value</c>) and stopped with SIGTERM (so it drains), then SIGKILL after
/// <see cref="ProcessProviderOptions.StopTimeout"/>. Every configured spec is an instance carrying our tag. For
/// development, tests and single-host deployments; the processes live only as long as the controller's silo.
/// </summary>
public sealed partial class ProcessNodeProvider(ProcessProviderOptions options, string tagValue, TimeProvider time, ILogger logger) : IOverflowNodeProvider, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Process> _running = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<CloudInstance>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<CloudInstance> instances = options.Nodes.Select(spec => new CloudInstance(spec.Name, spec.Name, "127.0.0.1",
                _running.TryGetValue(spec.Name, out var p) && !p.HasExited ? CloudInstanceState.Running : CloudInstanceState.Stopped, tagValue)).ToList();
            return Task.FromResult(instances);
        }
    }

    public Task StartAsync(CloudInstance instance, CancellationToken cancellationToken)
    {
        var spec = options.Nodes.FirstOrDefault(n => n.Name == instance.Id)
                   ?? throw new BurstingProviderException(BurstingFailureKind.UnauthorizedInstance, $"no process is configured for {instance.Id}");
        lock (_gate)
        {
            if (_running.TryGetValue(spec.Name, out var existing) && !existing.HasExited) return Task.CompletedTask;
            var start = new ProcessStartInfo(spec.FileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in spec.Arguments) start.ArgumentList.Add(argument);
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new BurstingProviderException(BurstingFailureKind.Other, $"{spec.FileName} did not start");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new BurstingProviderException(BurstingFailureKind.Other, $"cannot run {spec.FileName}: {ex.Message}", ex);
            }
            // Drain its output so a chatty silo never blocks on a full pipe; keep it in our log at debug level.
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) logger.LogDebug("[{Node}] {Line}", spec.Name, e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) logger.LogDebug("[{Node}] {Line}", spec.Name, e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _running[spec.Name] = process;
            logger.LogInformation("administrator.apps.cloudbursting started process {Pid} for {Node}", process.Id, spec.Name);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CloudInstance instance, CancellationToken cancellationToken)
    {
        Process? process;
        lock (_gate)
        {
            _running.Remove(instance.Id, out process);
        }
        if (process is null) return;
        using (process)
        {
            if (process.HasExited) return;
            _ = Kill(process.Id, SigTerm);
            try
            {
                await process.WaitForExitAsync(cancellationToken).WaitAsync(options.StopTimeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                logger.LogWarning("{Node} did not stop within {Timeout} of SIGTERM; killing it", instance.Name, options.StopTimeout);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var process in _running.Values)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.Dispose();
            }
            _running.Clear();
        }
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
