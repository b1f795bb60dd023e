using ConferenceCluster.Conferencing.Operations.Bursting;

namespace ConferenceCluster.Conferencing.Tests.Operations;

/// <summary>The <c>command</c> provider against real /bin/sh scripts that keep instance states in a file, as a cloud CLI wrapper would.</summary>
public sealed class CommandNodeProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cc-command-provider-").FullName;

    private string StateFile => Path.Combine(_directory, "instances");

    public CommandNodeProviderTests() =>
        File.WriteAllText(StateFile, "i-a A 10.0.0.11 stopped mgmt-host\ni-b B - stopped -\n");

    private CommandNodeProvider Provider(string? list = null, string? start = null, TimeSpan? timeout = null) => new(new CommandProviderOptions
    {
        // Columns of the file: id name address state tag; the list command prints them in the provider's order.
        ListCommand = list ?? $"awk '{{print $1, $2, $4, $3, $5}}' '{StateFile}'",
        StartCommand = start ?? $"sed -i \"s/^$CC_INSTANCE_ID \\(.*\\) stopped /$CC_INSTANCE_ID \\1 running /\" '{StateFile}'",
        StopCommand = $"sed -i \"s/^$CC_INSTANCE_ID \\(.*\\) running /$CC_INSTANCE_ID \\1 stopped /\" '{StateFile}'",
        CommandTimeout = timeout ?? TimeSpan.FromSeconds(30),
    }, TimeProvider.System);

    [Fact]
    public async Task Lists_starts_and_stops_through_the_scripts()
    {
        var provider = Provider();
        var instances = await provider.ListAsync(CancellationToken.None);
        Assert.Equal([new CloudInstance("i-a", "A", "10.0.0.11", CloudInstanceState.Stopped, "mgmt-host"), new CloudInstance("i-b", "B", null, CloudInstanceState.Stopped, null)], instances);

        await provider.StartAsync(instances[0], CancellationToken.None);
        Assert.Equal(CloudInstanceState.Running, (await provider.ListAsync(CancellationToken.None))[0].State);
        Assert.Equal(CloudInstanceState.Stopped, (await provider.ListAsync(CancellationToken.None))[1].State);
        await provider.StopAsync(instances[0], CancellationToken.None);
        Assert.Equal(CloudInstanceState.Stopped, (await provider.ListAsync(CancellationToken.None))[0].State);
    }

    /// <summary>Exit codes 77/78/79 are the three credential alarms' causes (L15438–15440); any other failure is an error.</summary>
    [Theory]
    [InlineData("echo 'bad key' >&2; exit 77", BurstingFailureKind.Authentication)]
    [InlineData("exit 78", BurstingFailureKind.UnauthorizedInstance)]
    [InlineData("exit 79", BurstingFailureKind.UnauthorizedRegion)]
    [InlineData("exit 1", BurstingFailureKind.Other)]
    [InlineData("echo 'i-a A running'", BurstingFailureKind.Other)]
    [InlineData("echo 'i-a A sleeping - -'", BurstingFailureKind.Other)]
    public async Task Failures_map_to_their_kind(string listCommand, BurstingFailureKind kind)
    {
        var failure = await Assert.ThrowsAsync<BurstingProviderException>(() => Provider(list: listCommand).ListAsync(CancellationToken.None));
        Assert.Equal(kind, failure.Kind);
    }

    [Fact]
    public async Task A_command_that_hangs_is_killed_at_its_timeout()
    {
        var failure = await Assert.ThrowsAsync<BurstingProviderException>(() =>
            Provider(start: "sleep 30", timeout: TimeSpan.FromMilliseconds(300)).StartAsync(new("i-a", "A", null, CloudInstanceState.Stopped, null), CancellationToken.None));
        Assert.Contains("did not finish", failure.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
