namespace ConferenceCluster.Runtime.Core;

/// <summary>Base of the placement attributes on grain classes: where a new activation goes.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public abstract class PlacementAttribute : Attribute;

/// <summary>Activate on the silo that made the first call (Orleans' PreferLocalPlacement); from a client, any silo.</summary>
public sealed class PreferLocalPlacementAttribute : PlacementAttribute;

/// <summary>Activate on the silo chosen by hashing the grain id over the active silos (Orleans' HashBasedPlacement).</summary>
public sealed class HashBasedPlacementAttribute : PlacementAttribute;

/// <summary>
/// Activate on the silo whose name is the grain's key (per-silo grains such as a node grain). The grain is
/// not registered in the directory: it exists only while its silo does.
/// </summary>
public sealed class SiloPinnedPlacementAttribute : PlacementAttribute;

/// <summary>Calls to this method do not wait for the grain to run it (Orleans' [OneWay]); it must return Task or ValueTask.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;

/// <summary>Overrides the idle age after which activations of this grain class are deactivated.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CollectionAgeLimitAttribute : Attribute
{
    public double Minutes { get; set; }
    public double Seconds { get; set; }
    public bool AlwaysActive { get; set; }

    public TimeSpan? Age => AlwaysActive ? null : TimeSpan.FromMinutes(Minutes) + TimeSpan.FromSeconds(Seconds);
}
