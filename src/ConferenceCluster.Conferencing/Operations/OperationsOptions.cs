using ConferenceCluster.Conferencing.Operations.Bursting;
using ConferenceCluster.Conferencing.Operations.EventSinks;

namespace ConferenceCluster.Conferencing.Operations;

/// <summary>Tunables of alarms, event sinks and bursting (configuration section <c>Operations</c>).</summary>
public sealed class OperationsOptions
{
    public EventSinkOptions EventSinks { get; set; } = new();

    public BurstingOptions Bursting { get; set; } = new();
}
