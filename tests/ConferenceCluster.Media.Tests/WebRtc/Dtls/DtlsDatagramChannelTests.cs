using ConferenceCluster.Media.WebRtc.Dtls;

namespace ConferenceCluster.Media.Tests.WebRtc.Dtls;

public class DtlsDatagramChannelTests
{
    [Fact]
    public void Records_come_out_in_order_a_full_queue_drops_and_a_closed_channel_ends_the_handshake()
    {
        var sent = new List<byte[]>();
        var channel = new DtlsDatagramChannel(datagram => sent.Add(datagram.ToArray()));
        Assert.True(channel.Enqueue([22, 1]));
        Assert.True(channel.Enqueue([22, 2]));
        var buffer = new byte[16];
        Assert.Equal(2, channel.Receive(buffer, 0, buffer.Length, 100));
        Assert.Equal(1, buffer[1]);
        Assert.Equal(2, channel.Receive(buffer, 0, buffer.Length, 100));
        Assert.Equal(2, buffer[1]);
        Assert.Equal(-1, channel.Receive(buffer, 0, buffer.Length, 10)); // nothing within the wait

        for (int i = 0; i < 100; i++)
        {
            channel.Enqueue([22, (byte)i]);
        }

        Assert.True(channel.Dropped > 0); // bounded: DTLS retransmits what is dropped

        channel.Send([1, 2, 3]);
        Assert.Single(sent);
        channel.Close();
        channel.Send([4]);
        Assert.Single(sent); // nothing leaves a closed channel
        Assert.False(channel.Enqueue([22, 0]));
        // A closed channel fails BouncyCastle's read at once instead of letting it spin until its timeout.
        Assert.Throws<ObjectDisposedException>(() => channel.Receive(buffer, 0, buffer.Length, 1000));
    }
}
