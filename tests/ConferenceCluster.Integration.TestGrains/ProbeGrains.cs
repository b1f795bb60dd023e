using ConferenceCluster.Runtime.Core;

namespace ConferenceCluster.Integration.TestGrains;

public sealed record ProbeAnswer(string SiloName, Guid ActivationId, int ProcessId, int Calls);

/// <summary>A single-activation grain placed by hash, so it may live on any silo process.</summary>
public interface IProbeGrain : IGrainWithStringKey
{
    Task<ProbeAnswer> Where();
}

[HashBasedPlacement]
public sealed class ProbeGrain : Grain, IProbeGrain
{
    private int _calls;

    public Task<ProbeAnswer> Where() =>
        Task.FromResult(new ProbeAnswer(Silo.Name, ActivationId, Environment.ProcessId, ++_calls));
}
