namespace ConferenceCluster.Runtime.Messaging;

/// <summary>The first frame each side writes on a new connection.</summary>
internal static class Handshake
{
    public const string ProtocolMagic = "CCR/1";
    public const string SiloRole = "silo";
    public const string ClientRole = "client";
    public const string GatewayRole = "gateway";

    /// <summary>Who the sender is: its role, and for a silo its address (the client sends its own id).</summary>
    public static Message Create(string role, string identity) =>
        new() { Kind = MessageKind.Handshake, GrainType = ProtocolMagic, Method = role, GrainKey = identity };

    public static (string Role, string Identity) Validate(Message message, params string[] acceptedRoles)
    {
        if (message.GrainType != ProtocolMagic)
            throw new ProtocolViolationException("bad protocol magic in handshake");
        if (message.Method is null || !acceptedRoles.Contains(message.Method))
            throw new ProtocolViolationException($"role '{message.Method}' not accepted here");
        if (string.IsNullOrEmpty(message.GrainKey))
            throw new ProtocolViolationException("handshake without identity");
        return (message.Method, message.GrainKey);
    }
}
