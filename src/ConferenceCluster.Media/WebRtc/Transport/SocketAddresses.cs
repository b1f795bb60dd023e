using System.Net;

namespace ConferenceCluster.Media.WebRtc.Transport;

internal static class SocketAddresses
{
    /// <summary>Our own copy of an address a socket wrote into a reused buffer (kept past the next receive).</summary>
    public static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}
