using System.Diagnostics;
using System.Net;
using ConferenceCluster.Media.Video.Composition;
using ConferenceCluster.Media.Video.Mixing;

namespace ConferenceCluster.Media.Tests.Video.Support;

/// <summary>Connects test phones to video legs and drives them in real time, bounded in frames and wall time.</summary>
internal static class VideoTestRun
{
    /// <summary>Adds a leg for <paramref name="phone"/> and points each at the other.</summary>
    public static async Task<VideoLeg> ConnectAsync(VideoConference conference, VideoTestEndpoint phone, Func<VideoLegOptions, VideoLegOptions>? adjust = null)
    {
        var options = new VideoLegOptions
        {
            ParticipantKey = phone.Name,
            PayloadType = VideoTestEndpoint.PayloadType,
            RemoteRtp = phone.RtpEndPoint,
            RemoteRtcp = phone.RtcpEndPoint,
        };
        VideoLeg leg = await conference.AddLegAsync(adjust?.Invoke(options) ?? options);
        phone.Server = new IPEndPoint(IPAddress.Loopback, leg.LocalRtpPort);
        phone.ServerRtcp = new IPEndPoint(IPAddress.Loopback, leg.LocalRtcpPort);
        return leg;
    }

    /// <summary>
    /// Steps every phone once per 33 ms for up to <paramref name="maxFrames"/> frames, until <paramref name="done"/>
    /// holds (checked each frame) or 60 s have passed.
    /// </summary>
    /// <returns>Whether <paramref name="done"/> held.</returns>
    public static bool Run(IReadOnlyList<VideoTestEndpoint> phones, int maxFrames, Func<int, bool>? done = null, Action<int>? onFrame = null)
    {
        var clock = Stopwatch.StartNew();
        for (int frame = 0; frame < maxFrames && clock.Elapsed < TimeSpan.FromSeconds(60); frame++)
        {
            foreach (VideoTestEndpoint phone in phones)
            {
                phone.Step(clock.ElapsedMilliseconds);
            }

            onFrame?.Invoke(frame);
            if (done?.Invoke(frame) == true)
            {
                return true;
            }

            long due = (frame + 1) * 33L;
            long wait = due - clock.ElapsedMilliseconds;
            if (wait > 0)
            {
                Thread.Sleep((int)wait);
            }
        }

        return done is null;
    }

    /// <summary>Whether the phone's last picture shows <paramref name="colour"/> in the centre of <paramref name="tile"/> (fractions).</summary>
    public static bool Shows(VideoTestEndpoint phone, YuvColor colour, double x, double y, double width, double height, int tolerance = 12) =>
        Sample(phone, x, y, width, height) is { } seen && seen.DistanceTo(colour) <= tolerance;

    /// <summary>The mean colour of the inner half of a tile of the phone's last picture, or null without a picture.</summary>
    public static YuvColor? Sample(VideoTestEndpoint phone, double x, double y, double width, double height)
    {
        if (phone.Picture is not { } picture)
        {
            return null;
        }

        var rect = new PixelRect((int)(x * picture.Width), (int)(y * picture.Height), (int)(width * picture.Width), (int)(height * picture.Height));
        return picture.View.MeanOf(rect.Inner);
    }
}
