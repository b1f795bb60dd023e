using System.Collections.Concurrent;
using System.Net;

namespace ConferenceCluster.Sip.Transport;

/// <summary>
/// Says whether a warning about a peer may be logged now: once per peer address per interval. A peer
/// sending garbage at line rate then costs one log line a minute, not one per datagram.
/// </summary>
internal sealed class PeerLogThrottle
{
    private readonly ConcurrentDictionary<IPAddress, long> _lastLogged = new();
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly int _maxPeers;

    public PeerLogThrottle(TimeProvider time, TimeSpan interval, int maxPeers)
    {
        _time = time;
        _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
        _maxPeers = maxPeers;
    }

    public bool ShouldLog(IPAddress peer)
    {
        var now = _time.GetTimestamp();
        if (_lastLogged.TryGetValue(peer, out var last) && now - last < _intervalTicks) return false;
        // Many distinct sources (spoofed UDP) must not grow this without bound: forget them all.
        if (_lastLogged.Count >= _maxPeers) _lastLogged.Clear();
        _lastLogged[peer] = now;
        return true;
    }
}
