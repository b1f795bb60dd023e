using ConferenceCluster.Media.WebRtc.Stun;

namespace ConferenceCluster.Media.Tests.WebRtc.Support;

/// <summary>What a browser sends to an ICE-lite server: Binding requests as RFC 8445 §7.2.2 builds them.</summary>
internal static class StunRequests
{
    /// <summary>A connectivity check from the browser (controlling) to the server whose ufrag/password are given.</summary>
    public static byte[] Check(string serverUfrag, string browserUfrag, string serverPassword, bool useCandidate = false,
        bool priority = true, bool integrity = true, bool fingerprint = true, byte[]? transactionId = null)
    {
        transactionId ??= Random.Shared.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 12);
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transactionId);
        writer.AddAttribute(StunAttributeType.Username, System.Text.Encoding.UTF8.GetBytes(serverUfrag + ":" + browserUfrag));
        writer.AddUInt64(StunAttributeType.IceControlling, 0x1122334455667788);
        if (priority)
        {
            writer.AddUInt32(StunAttributeType.Priority, 0x6e0001ff);
        }

        if (useCandidate)
        {
            writer.AddFlag(StunAttributeType.UseCandidate);
        }

        if (integrity)
        {
            using var key = StunIntegrity.ForPassword(serverPassword);
            writer.AddMessageIntegrity(key);
        }

        if (fingerprint)
        {
            writer.AddFingerprint();
        }

        return buffer[..writer.Length];
    }
}
