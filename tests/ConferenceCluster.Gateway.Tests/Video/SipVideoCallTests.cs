using ConferenceCluster.Conferencing.Capacity;
using ConferenceCluster.Conferencing.Configuration;
using ConferenceCluster.Conferencing.Grains.Interfaces;
using ConferenceCluster.Gateway.Media;
using ConferenceCluster.Gateway.Tests.Distributed.Support;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Media.Tests.Video.Support;
using ConferenceCluster.Media.Video.Composition;
using Microsoft.Extensions.DependencyInjection;

namespace ConferenceCluster.Gateway.Tests.Video;

/// <summary>
/// SIP video on one silo (issue 14 item 6): a re-INVITE adds video to an audio call (RFC 3264 §8) and drops it again;
/// the node's ledger follows what the call costs (R-QoS-2: audio-only 1/12 HD, SD 1/2 HD; no re-accounting on a
/// downspeed), and the pictures follow the roster (the audio-only caller is no tile; with video, it is).
/// </summary>
public sealed class SipVideoCallTests
{
    private const double Seventh = 1.0 / 7;

    private static bool InMain(VideoTestEndpoint phone, YuvColor colour) => VideoTestRun.Shows(phone, colour, Seventh / 2, 0, 6 * Seventh, 6 * Seventh, 16);

    private static Task<bool> RunPhonesAsync(IReadOnlyList<VideoTestEndpoint> phones, Func<bool> done) =>
        Task.Factory.StartNew(() => VideoTestRun.Run(phones, 600, _ => done()), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static string Describe(VideoTestEndpoint phone) =>
        $"{phone.Name}: {phone.Picture?.Width}x{phone.Picture?.Height} main {VideoTestRun.Sample(phone, Seventh / 2, 0, 6 * Seventh, 6 * Seventh)}";

    [Fact]
    public async Task A_reinvite_adds_video_to_an_audio_call_which_then_sees_the_composite_and_costs_sd_and_a_second_drops_it()
    {
        await using var silo = await GatewaySilo.StartAsync(new Dictionary<string, string?> { ["Silo:Ports:MediaRange"] = "42000-42499" });
        await silo.CreateRoomAsync("video-room", ["meet"], room => room with { MaximumCallQuality = MaximumCallQuality.Sd });
        var node = silo.Grains.GetGrain<INodeGrain>(silo.Name);
        var media = silo.Services.GetRequiredService<MediaNode>();
        using var red = new VideoTestEndpoint("V", TestPictures.Colours[0]);
        using var green = new VideoTestEndpoint("A", TestPictures.Colours[1]);
        ToneCaller? video = null, audio = null;
        try
        {
            video = await ToneCaller.CallAsync("v", 440, silo.SipPort, red, quiet: true);
            audio = await ToneCaller.CallAsync("a", 620, silo.SipPort, quiet: true);
            // One transcoding node: no backplane reservation (L1199). SD video half an HD call, audio 1/12 (L1178, L1179).
            Assert.Equal(MediaCosts.SdCall + MediaCosts.AudioCall, (await node.GetStatus()).Load);
            Assert.Equal(1, media.VideoLegCount);

            // The audio caller turns its camera on: a re-INVITE with the same audio and a new m=video line.
            var added = await audio.AddVideoAsync(green);
            Assert.True(added is not null && SipText.StatusCode(added) == 200 && SipText.VideoOf(added) is not null, $"video not added:\n{added}");
            Assert.Equal(MediaCosts.SdCall + MediaCosts.SdCall, (await node.GetStatus()).Load);
            Assert.Equal(2, media.VideoLegCount);
            // Each now sees the other in the main position (two participants: the other is the main speaker, L7178).
            VideoTestEndpoint[] phones = [red, green];
            Assert.True(await RunPhonesAsync(phones, () => InMain(red, green.Colour) && InMain(green, red.Colour)), string.Join("\n", phones.Select(Describe)));

            // And off again: the video line disabled (port 0). The call keeps what it holds (no re-accounting on a downspeed).
            var dropped = await audio.DropVideoAsync();
            Assert.True(dropped is not null && SipText.StatusCode(dropped) == 200 && SipText.VideoOf(dropped) is null, $"video not dropped:\n{dropped}");
            Assert.Equal(1, media.VideoLegCount);
            Assert.Equal(MediaCosts.SdCall + MediaCosts.SdCall, (await node.GetStatus()).Load);
            // V has nobody to see any more: its picture no longer shows A.
            Assert.True(await RunPhonesAsync([red], () => !InMain(red, green.Colour)), Describe(red));
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{silo.Logs.Tail(60)}", ex);
        }
        finally
        {
            if (video is not null) await video.DisposeAsync();
            if (audio is not null) await audio.DisposeAsync();
        }
    }
}
