namespace ConferenceCluster.Conferencing.Backplanes;

[GenerateSerializer, Alias("cc.BackplaneKind")]
public enum BackplaneKind
{
    /// <summary>Between two transcoding nodes of one system location (R35, L2162).</summary>
    Local,
    /// <summary>Between the intermediaries of two system locations (R36–R38, L2164, L2226).</summary>
    Geo,
}

