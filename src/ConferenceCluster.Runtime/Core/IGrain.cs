namespace ConferenceCluster.Runtime.Core;

/// <summary>Marker for grain interfaces. Every method returns Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
public interface IGrain;

/// <summary>A grain addressed by a string key (the only key kind this runtime has).</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>Creates typed references to grains; works the same on a silo and in a cluster client.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;
}

/// <summary>Implemented by every grain reference: its identity.</summary>
public interface IAddressable
{
    GrainId GrainId { get; }
}
