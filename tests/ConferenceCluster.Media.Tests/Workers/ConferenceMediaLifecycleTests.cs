using System.Net;
using ConferenceCluster.Media.Codecs;
using ConferenceCluster.Media.Transport;
using ConferenceCluster.Media.Workers;

namespace ConferenceCluster.Media.Tests.Workers;

public class ConferenceMediaLifecycleTests
{
    [Fact]
    public async Task Participants_take_ports_and_worker_load_and_give_them_back()
    {
        await using var engine = new MediaEngine(new MediaOptions { WorkerCount = 2, BindAddress = IPAddress.Loopback, PortRange = new PortRange(44400, 44499) });
        ConferenceMedia first = await engine.CreateConferenceAsync("a");
        MediaParticipant alice = await first.AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Opus, PayloadType = 111 });
        MediaParticipant bob = await first.AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Pcma, PayloadType = 8 });

        // The next conference goes to the idle worker.
        ConferenceMedia second = await engine.CreateConferenceAsync("b");
        Assert.NotSame(first.Worker, second.Worker);

        Assert.Equal(2, engine.PortAllocator.Allocated);
        Assert.Equal(2, first.Worker.ParticipantCount);
        Assert.NotEqual(alice.LocalRtpPort, bob.LocalRtpPort);
        Assert.Equal(alice.LocalRtpPort + 1, alice.LocalRtcpPort);
        Assert.Null(alice.RemoteRtpEndPoint); // no SDP address and nothing received yet: nothing is sent

        Assert.True(await first.RemoveParticipantAsync(alice));
        Assert.False(await first.RemoveParticipantAsync(alice));
        Assert.Equal(1, engine.PortAllocator.Allocated);
        Assert.Equal(1, first.ParticipantCount);

        await first.DisposeAsync();
        await second.DisposeAsync();
        Assert.Equal(0, engine.PortAllocator.Allocated);
        Assert.All(engine.GetWorkerStatistics(), w => Assert.Equal(0, w.Conferences));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Opus, PayloadType = 111 }));
    }

    [Fact]
    public async Task Disposing_the_engine_closes_open_conferences_and_frees_their_ports()
    {
        var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(44800, 44899) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("left-open");
        await conference.AddParticipantAsync(new MediaEndpointOptions { Codec = AudioCodec.Opus, PayloadType = 111 });
        Assert.Equal(1, engine.ConferenceCount);

        await engine.DisposeAsync();

        Assert.Equal(0, engine.ConferenceCount);
        Assert.Equal(0, engine.PortAllocator.Allocated);
        Assert.Equal(0, conference.ParticipantCount);
    }

    [Fact]
    public async Task Port_exhaustion_is_a_clear_error_and_leaves_nothing_behind()
    {
        await using var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(44500, 44503) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("small");
        var endpoint = new MediaEndpointOptions { Codec = AudioCodec.Pcmu, PayloadType = 0 };
        await conference.AddParticipantAsync(endpoint);
        await conference.AddParticipantAsync(endpoint);
        await Assert.ThrowsAsync<MediaPortsExhaustedException>(() => conference.AddParticipantAsync(endpoint));
        Assert.Equal(2, conference.ParticipantCount);
        await conference.DisposeAsync();
    }

    [Theory]
    [InlineData(AudioCodec.Opus, 111, (byte)111)]
    [InlineData(AudioCodec.Opus, 200, null)]
    public async Task Bad_endpoint_options_are_refused_before_any_port_is_taken(AudioCodec codec, int payloadType, byte? telephoneEvent)
    {
        await using var engine = new MediaEngine(new MediaOptions { WorkerCount = 1, BindAddress = IPAddress.Loopback, PortRange = new PortRange(44600, 44609) });
        ConferenceMedia conference = await engine.CreateConferenceAsync("c");
        await Assert.ThrowsAnyAsync<ArgumentException>(() => conference.AddParticipantAsync(new MediaEndpointOptions
        {
            Codec = codec,
            PayloadType = (byte)payloadType,
            TelephoneEventPayloadType = telephoneEvent,
        }));
        Assert.Equal(0, engine.PortAllocator.Allocated);
        await conference.DisposeAsync();
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaEngine(new MediaOptions { WorkerCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaEngine(new MediaOptions { JitterBuffer = new() { MinDelayFrames = 5, MaxDelayFrames = 4 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaEngine(new MediaOptions { ReceivePollsPerTick = 0 }));
    }
}
