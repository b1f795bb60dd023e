using System.Globalization;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// The silo processes and SIP callers of one test: disposing hangs up the callers and kills the silos, whatever the
/// test's outcome. Each silo started here gets its own SIP port and media range, so callers can dial it.
/// </summary>
internal sealed class SiloGroup : IAsyncDisposable
{
    private static int s_nextMediaRange;
    private readonly List<SiloProcess> _silos = [];
    private readonly List<ToneCaller> _callers = [];
    private readonly Dictionary<string, int> _sipPorts = new(StringComparer.Ordinal);

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public SiloProcess this[string name] => _silos.Last(s => s.Name == name);

    public int SipPort(string silo) => _sipPorts[silo];

    /// <param name="extra">Keys beyond the group's (SIP port, media range) and <see cref="SiloProcess.Start"/>'s.</param>
    public SiloProcess Start(string name, string clusterId, string connectionString, IReadOnlyDictionary<string, string>? membership = null,
        IReadOnlyDictionary<string, string>? extra = null, string storage = "postgres")
    {
        _sipPorts[name] = ExternalTool.FreeUdpPort();
        // 200 RTP ports per silo, from 47000 up; the gateway tests use other ranges.
        var first = 47000 + 200 * (Interlocked.Increment(ref s_nextMediaRange) % 40);
        var settings = new Dictionary<string, string>
        {
            ["Silo:Ports:Sip"] = _sipPorts[name].ToString(CultureInfo.InvariantCulture),
            ["Silo:Ports:MediaRange"] = $"{first}-{first + 199}",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) settings[key] = value;
        var silo = SiloProcess.Start(name, clusterId, connectionString, settings, membership, storage);
        _silos.Add(silo);
        return silo;
    }

    public Task WaitUntilReadyAsync(TimeSpan bound) => Task.WhenAll(_silos.Where(s => !s.HasExited).Select(s => s.WaitUntilReadyAsync(bound)));

    /// <summary>
    /// A caller talking <paramref name="tone"/> into the VMR <see cref="ToneCaller"/> dials, at <paramref name="silo"/>. A new
    /// VMR reaches a silo through its configuration poll or the INVITE's own refresh: a refusal meanwhile is tried again, bounded.
    /// </summary>
    public async Task<ToneCaller> DialAsync(string name, double tone, string silo)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var caller = await ToneCaller.CallAsync(name, tone, _sipPorts[silo]);
                _callers.Add(caller);
                return caller;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 10)
            {
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>
    /// Everyone's audio over 3 s, after 2 s for it to settle: long enough that a stall of the test process (on a loaded
    /// machine no RTP is read for half a second, then comes in a burst) stays out of the medians.
    /// </summary>
    public static async Task<HearingMatrix> ListenAsync(IReadOnlyList<ToneCaller> callers)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        var from = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(3));
        return HearingMatrix.Measure(callers, from, DateTime.UtcNow);
    }

    public string Logs() => Bounded.Logs(_silos);

    public async ValueTask DisposeAsync()
    {
        foreach (var caller in _callers) await caller.DisposeAsync();
        foreach (var silo in _silos) await silo.DisposeAsync();
    }
}
