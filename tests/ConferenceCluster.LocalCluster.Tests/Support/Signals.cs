using System.Runtime.InteropServices;

namespace ConferenceCluster.LocalCluster.Tests.Support;

/// <summary>POSIX signals to the processes the local cluster started (their pids are in its data directory).</summary>
internal static class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;

    public static void Send(int pid, int signal) => Assert.True(kill(pid, signal) == 0, $"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");

    /// <summary>
    /// Whether a process, or with a negative number a process group, still exists (signal 0 probes). A zombie does
    /// not count: it has stopped, only its parent (for a daemon such as PostgreSQL's, whatever adopted it) has not
    /// collected its exit status yet.
    /// </summary>
    public static bool Exists(int pidOrNegativeGroup) =>
        kill(pidOrNegativeGroup, 0) == 0 && (pidOrNegativeGroup < 0 || !IsZombie(pidOrNegativeGroup));

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
