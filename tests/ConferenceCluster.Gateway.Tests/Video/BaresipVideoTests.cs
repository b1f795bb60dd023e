using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.Gateway.Tests.Video;

/// <summary>
/// baresip can do video here: Debian's baresip-core 1.0.0 has the fakevideo, vp8 and snapshot modules, two baresips
/// call each other with VP8, and <see cref="BaresipVideo"/>'s snapshot of the received picture matches the sender's own
/// snapshot of what it sent. The helper is what a conference test uses to check the picture a real baresip receives.
/// </summary>
public sealed class BaresipVideoTests
{
    [Fact]
    public async Task Two_baresips_exchange_vp8_video_and_the_received_snapshot_matches_the_sent_one()
    {
        BaresipVideo camera = BaresipVideo.Prepare("camera", autoAnswer: true);
        BaresipVideo viewer = BaresipVideo.Prepare("viewer");
        Task cameraRun = camera.RunAsync(uri: null, seconds: 20);
        await Task.Delay(500);
        Task viewerRun = viewer.RunAsync(camera.Uri, seconds: 16);

        // Give the call a moment to set up and the decoder its first key frame, then photograph both ends.
        await Task.Delay(TimeSpan.FromSeconds(5));
        RgbPicture received = await viewer.SnapshotReceivedAsync();
        RgbPicture sent = await camera.SnapshotSentAsync();
        // Done: end both now rather than at their -t (which only bounds a run that goes wrong).
        await viewer.HangUpAndQuitAsync();
        await camera.QuitAsync();
        await Task.WhenAll(cameraRun, viewerRun);

        Assert.Equal((640, 360), (received.Width, received.Height));
        // fakevideo's picture is not flat: several clearly different colours across it.
        var columns = Enumerable.Range(0, 8).Select(i => received.MeanOf(i / 8.0, 0.3, 1 / 8.0, 0.4)).ToArray();
        Assert.True(columns.Distinct().Count() >= 3, "the received picture is flat: " + string.Join(" ", columns));
        // What arrived is what was sent (VP8 is lossy; fakevideo's picture moves slowly, so compare loosely by column).
        int matching = Enumerable.Range(0, 8).Count(i => RgbPicture.Distance(received.MeanOf(i / 8.0, 0.3, 1 / 8.0, 0.4), sent.MeanOf(i / 8.0, 0.3, 1 / 8.0, 0.4)) <= 48);
        Assert.True(matching >= 6, $"received {string.Join(" ", columns)}; sent {string.Join(" ", Enumerable.Range(0, 8).Select(i => sent.MeanOf(i / 8.0, 0.3, 1 / 8.0, 0.4)))}");
        ExternalTool.DeleteOnSuccess(camera.Directory);
        ExternalTool.DeleteOnSuccess(viewer.Directory);
    }
}
