namespace ConferenceCluster.Integration.Tests;

/// <summary>Bounded waits on real processes: the bound is several times what a quiet machine needs; reaching it fails the test with the silos' logs.</summary>
internal static class Bounded
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"not within {bound}: {what}{(diagnostics is null ? "" : "\n" + diagnostics())}");
            await Task.Delay(100);
        }
    }

    /// <summary>The silos' logs, each its tail, to explain a failure.</summary>
    public static string Logs(IEnumerable<SiloProcess> silos) =>
        string.Concat(silos.Select(s => $"\n--- {s.Name}{(s.HasExited ? $" (exited {s.ExitCode})" : "")}\n{SiloProcess.Tail(s.Output, 4000)}"));
}
