using System.Diagnostics;

namespace ConferenceCluster.WebRtc.Tests.Chromium;

/// <summary>
/// Debian's headless Chromium (/usr/bin/chromium) opened on one page, with the fake microphone playing a WAV file.
/// Each instance gets a fresh profile directory; <see cref="DisposeAsync"/> kills the whole process tree and waits
/// (bounded) for it, so no browser outlives its test, whatever the test's outcome.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<Uri> _devTools = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HeadlessChromium(Process process, string profile, string logPath, StreamWriter log)
    {
        _process = process;
        _profile = profile;
        LogPath = logPath;
        _log = log;
    }

    /// <summary>Chromium's stderr, for the failure message of a test that did not get its report.</summary>
    public string LogPath { get; }

    public static bool IsInstalled => File.Exists(Executable);

    /// <summary>
    /// The DevTools endpoint (ws://127.0.0.1:port/devtools/browser/...) once Chromium reports it on stderr; only with
    /// <c>--remote-debugging-port</c> among the extra arguments.
    /// </summary>
    public Task<Uri> DevToolsEndpoint => _devTools.Task;

    /// <param name="extraArguments">More switches, e.g. <c>--remote-debugging-port=0</c> for a test that drives the page.</param>
    public static HeadlessChromium Launch(string url, string fakeMicrophoneWav, IEnumerable<string>? extraArguments = null)
    {
        string profile = Directory.CreateTempSubdirectory("cc-chromium-").FullName;
        string logPath = Path.Combine(profile, "chromium.log");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile,
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            "--use-file-for-fake-audio-capture=" + fakeMicrophoneWav,
            "--autoplay-policy=no-user-gesture-required",
            // Lets ICE use the loopback interface the test's media node listens on.
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            .. extraArguments ?? [],
            url,
        ];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var chromium = new HeadlessChromium(process, profile, logPath, log);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) { log.WriteLine(e.Data); }
            const string listening = "DevTools listening on ";
            if (e.Data.StartsWith(listening, StringComparison.Ordinal) && Uri.TryCreate(e.Data[listening.Length..].Trim(), UriKind.Absolute, out Uri? endpoint))
            {
                chromium._devTools.TrySetResult(endpoint);
            }
        };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) { log.WriteLine(e.Data); } };
        process.Exited += (_, _) => chromium._devTools.TrySetException(new InvalidOperationException($"Chromium exited before it reported its DevTools endpoint; log: {logPath}"));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return chromium;
    }

    public string ReadLog()
    {
        lock (_log)
        {
            try
            {
                using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                string text = reader.ReadToEnd();
                return text.Length > 4000 ? text[^4000..] : text;
            }
            catch (IOException exception)
            {
                return exception.Message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // already gone, or not gone within 10 s (then the OS reaps it with the test host)
        }
        finally
        {
            _process.Dispose();
            lock (_log)
            {
                _log.Dispose();
            }

            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // a crash dump still being written; the temp directory is cleaned by the OS
            }
        }
    }
}
