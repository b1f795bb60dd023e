using Orleans;
using Orleans.Runtime;

namespace ConferenceCluster.Integration.TestGrains;

/// <summary>Where a call was served: the silo, the activation (new per activation), the OS process, and the call's number.</summary>
[GenerateSerializer, Immutable, Alias("cc.tests.ProbeAnswer")]
public sealed record ProbeAnswer(string SiloName, Guid ActivationId, int ProcessId, int Calls);

/// <summary>A single-activation grain with no placement of its own: it may live on any silo process.</summary>
[Alias("cc.tests.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    Task<ProbeAnswer> Where();
}

/// <summary>
/// Random placement, so that silos racing to activate the same key pick different silos and only the grain directory
/// can make them agree.
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed class ProbeGrain(ILocalSiloDetails silo) : Grain, IProbeGrain
{
    private readonly Guid _activationId = Guid.NewGuid();
    private int _calls;

    public Task<ProbeAnswer> Where() =>
        Task.FromResult(new ProbeAnswer(silo.Name, _activationId, Environment.ProcessId, ++_calls));
}
