using ConferenceCluster.Sip.Messages;

namespace ConferenceCluster.Sip.Dialogs;

/// <summary>
/// A dialog's identity (RFC 3261 12): Call-ID, local tag and remote tag. For a request we receive the
/// local tag is its To tag; for a response we receive it is its From tag (12.2.2, 12.1.2).
/// </summary>
public readonly record struct SipDialogId(string CallId, string LocalTag, string RemoteTag)
{
    public static bool TryFromIncomingRequest(SipRequest request, out SipDialogId id)
    {
        id = default;
        // An RFC 2543 peer may send no From tag (12.2.2 then matches on the empty tag).
        if (request.CallId is not { } callId || request.To?.Tag is not { } local || request.From is not { } from) return false;
        id = new SipDialogId(callId, local, from.Tag ?? string.Empty);
        return true;
    }

    public static bool TryFromIncomingResponse(SipResponse response, out SipDialogId id)
    {
        id = default;
        if (response.CallId is not { } callId || response.From?.Tag is not { } local || response.To?.Tag is not { } remote) return false;
        id = new SipDialogId(callId, local, remote);
        return true;
    }

    public override string ToString() => $"{CallId};local={LocalTag};remote={RemoteTag}";
}
