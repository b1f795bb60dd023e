using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Silo.Tests;

/// <summary>
/// Port 0 means "any free port". A CI run failed when the kernel's probe gave one silo the same port for its gateway
/// and its HTTP listener; these pin what the chooser promises instead.
/// </summary>
public class FreePortsTests
{
    [Fact]
    public void Ports_chosen_for_port_0_are_never_repeated_even_when_each_is_released_at_once()
    {
        // 1,500 draws from a band of 10,000: with a bare random draw ~110 repeats are expected (birthday bound), and the
        // kernel's probe-and-close repeats too; the chooser remembers what it handed out.
        var chosen = Enumerable.Range(0, 1_500).Select(_ => FreePorts.Resolve(0)).ToList();

        Assert.Equal(chosen.Count, chosen.Distinct().Count());
    }

    [Fact]
    public void Chosen_ports_lie_outside_the_kernels_ephemeral_range_where_outgoing_connections_take_theirs()
    {
        var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var (low, high) = (int.Parse(fields[0]), int.Parse(fields[1]));

        var chosen = Enumerable.Range(0, 200).Select(_ => FreePorts.Pick()).ToList();

        Assert.All(chosen, port => Assert.True(port < low || port > high, $"{port} is inside {low}..{high}"));
    }

    [Fact]
    public void A_configured_port_is_kept_as_it_is()
    {
        Assert.Equal(5061, FreePorts.Resolve(5061));
    }
}
