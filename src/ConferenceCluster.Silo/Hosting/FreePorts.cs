using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// Port 0 in the configuration means "any free TCP port" (tests run many silos in one process). Orleans must know its
/// silo and gateway ports before it listens (they are part of the silo's address), so a free one is chosen here, once.
/// </summary>
/// <remarks>
/// Asking the kernel (bind to port 0, read the port, close) is not enough, for two reasons seen in CI:
/// <list type="bullet">
/// <item>the kernel may hand the same port out again as soon as the probe closes: one silo got 45349 as both its
/// gateway and its HTTP port. Every port chosen here is remembered, and none is handed out twice by this process;</item>
/// <item>between the choice and the listener's bind, a port in the ephemeral range can become the local port of any
/// outgoing connection (a PostgreSQL pool opening, an HTTP client). Ports are chosen below that range, where the kernel
/// never puts an outgoing connection, and must bind on every address before they are handed out.</item>
/// </list>
/// The band is 10000–19999: below the kernel's default ephemeral range (32768–60999) and apart from 20000–29999, where
/// the tests choose the ports of the SIP tools they run (baresip's SIP and control sockets).
/// Tests that start silos as processes link this file and choose their ports with it.
/// </remarks>
internal static class FreePorts
{
    private const int BandFrom = 10_000;
    private const int BandTo = 20_000;
    private const int Attempts = 2_000;

    private static readonly object Gate = new();
    private static readonly HashSet<int> HandedOut = [];
    private static readonly (int From, int To) Range = ChoosingRange();

    public static int Resolve(int configured) => configured != 0 ? configured : Pick();

    /// <summary>A TCP port free on every address now, never returned before by this process.</summary>
    public static int Pick()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var port = Random.Shared.Next(Range.From, Range.To);
                if (HandedOut.Contains(port) || !IsFree(port)) continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free TCP port in {Range.From}..{Range.To - 1} after {Attempts} tries");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// The band, unless the kernel's ephemeral range (<c>ip_local_port_range</c>) reaches into it: then above that
    /// range if there is room, else the band anyway (bind-checked, never repeated).
    /// </summary>
    private static (int From, int To) ChoosingRange()
    {
        var (ephemeralLow, ephemeralHigh) = EphemeralRange();
        if (ephemeralLow >= BandTo || ephemeralHigh < BandFrom) return (BandFrom, BandTo);
        if (65_535 - ephemeralHigh >= 2_000) return (ephemeralHigh + 1, 65_536);
        return (BandFrom, BandTo);
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2
                && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high))
                return (low, high);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return (32_768, 60_999);
    }
}
