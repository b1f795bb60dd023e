namespace ConferenceCluster.Media.Mixing;

/// <summary>
/// What a mixer participant stands for, which decides what it hears and whether it competes for the speaker set.
/// </summary>
public enum MixRole
{
    /// <summary>A call leg (phone, WebRTC client, gateway call): subject to N-loudest speaker selection; hears mix-minus.</summary>
    Endpoint,

    /// <summary>
    /// A backplane to another node of the same location (a star from each node to the location's intermediary):
    /// always mixed, hears mix-minus like an endpoint.
    /// </summary>
    LocalBackplane,

    /// <summary>
    /// A backplane between the intermediaries of two locations (a full mesh): always mixed, and hears the mix minus
    /// <b>every</b> geo backplane input (split horizon), so a voice never crosses two geo links.
    /// </summary>
    GeoBackplane,
}
