namespace ConferenceCluster.Runtime.Messaging;

internal enum MessageKind : byte
{
    /// <summary>First frame on every connection: who is calling (a silo, with its address, or a client).</summary>
    Handshake = 1,
    Request = 2,
    OneWayRequest = 3,
    Response = 4,
    /// <summary>The grain method threw: <see cref="Message.ErrorType"/> and <see cref="Message.ErrorMessage"/> say what.</summary>
    ExceptionResponse = 5,
    /// <summary>The runtime could not deliver the request (no such grain type, silo stopping, too many forwards ...).</summary>
    Rejection = 6,
    /// <summary>A membership probe; answered at once by the messaging layer, never queued behind grains.</summary>
    Ping = 7,
    Pong = 8,
    /// <summary>A cluster event for the pub/sub topic named in <see cref="Message.Method"/>.</summary>
    Broadcast = 9,
}

/// <summary>One frame on a silo or gateway connection.</summary>
internal sealed class Message
{
    public MessageKind Kind { get; init; }
    /// <summary>Correlates a response with its request; unique per sending connection.</summary>
    public long Id { get; set; }
    public byte ForwardCount { get; init; }
    public string? GrainType { get; init; }
    public string? GrainKey { get; init; }
    /// <summary>The grain method's wire name, or the topic of a broadcast, or the role in a handshake.</summary>
    public string? Method { get; init; }
    public string? ErrorType { get; init; }
    public string? ErrorMessage { get; init; }
    /// <summary>Serialized arguments (requests), result (responses) or event (broadcasts).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    public bool IsResponse => Kind is MessageKind.Response or MessageKind.ExceptionResponse or MessageKind.Rejection or MessageKind.Pong;

    public static Message ResponseTo(Message request, ReadOnlyMemory<byte> body) =>
        new() { Kind = MessageKind.Response, Id = request.Id, Body = body };

    public static Message ExceptionTo(Message request, Exception exception) =>
        new()
        {
            Kind = MessageKind.ExceptionResponse,
            Id = request.Id,
            ErrorType = exception is Core.GrainCallException remote ? remote.RemoteExceptionType : exception.GetType().FullName,
            ErrorMessage = exception is Core.GrainCallException remoteMessage ? remoteMessage.RemoteMessage : exception.Message,
        };

    public static Message RejectionTo(Message request, string reason) =>
        new() { Kind = MessageKind.Rejection, Id = request.Id, ErrorType = "Rejection", ErrorMessage = reason };
}

/// <summary>The peer broke the framing protocol; its connection is closed and nothing else is touched.</summary>
internal sealed class ProtocolViolationException(string message) : Exception(message);
