namespace ConferenceCluster.Runtime.Core;

/// <summary>A grain's identity: its interface type name and its string key.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";

    public static GrainId Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash <= 0)
            throw new FormatException($"'{text}' is not a grain id (type/key)");
        return new GrainId(text[..slash], text[(slash + 1)..]);
    }

    public uint StableHash() => Membership.StableHashing.Fnv1a(ToString());
}
