using System.Net;
using System.Net.Sockets;

namespace ConferenceCluster.Silo.Hosting;

/// <summary>
/// Port 0 in the configuration means "any free port" (tests run many silos in one process). Orleans must know its
/// silo and gateway ports before it listens (they are part of the silo's address), so a free one is chosen here, once.
/// </summary>
internal static class FreePorts
{
    public static int Resolve(int configured) => configured != 0 ? configured : Pick();

    private static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
