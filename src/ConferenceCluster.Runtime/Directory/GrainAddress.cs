using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;

namespace ConferenceCluster.Runtime.Directory;

/// <summary>Where one activation of a grain lives.</summary>
public sealed record GrainAddress(GrainId GrainId, SiloAddress Silo, Guid ActivationId);
