using System.Text.Json.Nodes;

namespace ConferenceCluster.Conferencing.Operations.EventSinks;

/// <summary>
/// One event as it is POSTed: <c>{"event", "node", "seq", "version", "time", "data"}</c>. <c>seq</c> counts up per
/// publishing node, so a receiver can put events in order and drop a repeat (a POST that timed out after the receiver
/// took it is sent again). <c>time</c> is the node's clock (L3045), in Unix seconds.
/// </summary>
public sealed record SinkEvent(long Seq, string Event, string Node, DateTimeOffset Time, JsonObject Data)
{
    public string ToJson(int version) => new JsonObject
    {
        ["event"] = Event,
        ["node"] = Node,
        ["seq"] = Seq,
        ["version"] = version,
        ["time"] = UnixSeconds(Time),
        ["data"] = Data.DeepClone(),
    }.ToJsonString();

    public static double UnixSeconds(DateTimeOffset time) => Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3);
}

/// <summary>The event names (Pexip's event sink API names).</summary>
public static class SinkEventNames
{
    public const string ConferenceStarted = "conference_started";
    public const string ConferenceUpdated = "conference_updated";
    public const string ConferenceEnded = "conference_ended";
    public const string ParticipantConnected = "participant_connected";
    public const string ParticipantUpdated = "participant_updated";
    public const string ParticipantDisconnected = "participant_disconnected";
}
