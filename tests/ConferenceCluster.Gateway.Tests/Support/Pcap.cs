namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>The RTP payloads in a classic libpcap file of Ethernet/IPv4/UDP/RTP (as sip-tester's g711a.pcap).</summary>
internal static class Pcap
{
    public static IReadOnlyList<byte[]> RtpPayloads(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var payloads = new List<byte[]>();
        var offset = 24;
        while (offset + 16 <= bytes.Length)
        {
            var captured = BitConverter.ToInt32(bytes, offset + 8);
            var frame = offset + 16;
            offset = frame + captured;
            if (offset > bytes.Length || captured < 14 + 20 + 8 + 12) break;
            if (bytes[frame + 12] != 0x08 || bytes[frame + 13] != 0x00) continue; // IPv4 only
            var ip = frame + 14;
            var udp = ip + 4 * (bytes[ip] & 0x0F);
            if (bytes[ip + 9] != 17) continue;
            var rtp = udp + 8;
            var header = 12 + 4 * (bytes[rtp] & 0x0F);
            payloads.Add(bytes[(rtp + header)..offset]);
        }
        return payloads;
    }
}
