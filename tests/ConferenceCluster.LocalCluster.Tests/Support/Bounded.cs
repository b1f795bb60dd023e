namespace ConferenceCluster.LocalCluster.Tests.Support;

/// <summary>Polling with a bound: the condition may take a while on a loaded machine, but never forever.</summary>
internal static class Bounded
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, Func<Task<string>> describeFailure)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not within {bound}: {await describeFailure()}");
            await Task.Delay(250);
        }
    }
}
