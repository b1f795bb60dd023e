namespace ConferenceCluster.Runtime.Core;

/// <summary>The silo that hosts (or was asked to host) the target activation is gone or unreachable.</summary>
public class SiloUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An exception thrown by a grain on another silo (or across the gateway), carried back by type name and
/// message: the original type may not exist in the caller's process, so it is not rebuilt.
/// </summary>
public sealed class GrainCallException(string remoteExceptionType, string remoteMessage, string? remoteStackTrace = null)
    : Exception($"{remoteExceptionType}: {remoteMessage}")
{
    public string RemoteExceptionType { get; } = remoteExceptionType;
    public string RemoteMessage { get; } = remoteMessage;
    public string? RemoteStackTrace { get; } = remoteStackTrace;
}
