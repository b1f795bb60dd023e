using System.Globalization;
using StbImageSharp;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>
/// One baresip (Debian baresip-core 1.0.0) with video: its camera is the <c>fakevideo</c> module's test picture, VP8
/// through the <c>vp8</c> module, and what it receives can be photographed with the <c>snapshot</c> module
/// (<c>snapshot_recv</c>, asked for over the <c>ctrl_tcp</c> command socket while the call runs). All four modules are
/// in Debian's baresip-core package. Use: <see cref="Prepare"/>, start <see cref="RunAsync"/>, take
/// <see cref="SnapshotReceivedAsync"/> once the call is up, then await the run.
/// </summary>
internal sealed class BaresipVideo
{
    private static readonly string[] ModuleDirectories =
        ["/usr/lib/baresip/modules", "/usr/lib/x86_64-linux-gnu/baresip/modules", "/usr/lib/aarch64-linux-gnu/baresip/modules", "/usr/local/lib/baresip/modules"];

    public required string Name { get; init; }

    public required string Directory { get; init; }

    public required int SipPort { get; init; }

    public required BaresipControl Control { get; init; }

    /// <summary>This baresip's own address, for another to call.</summary>
    public string Uri => $"sip:{Name}@127.0.0.1:{SipPort}";

    public ToolResult? Result { get; private set; }

    /// <summary>Writes a config with fakevideo as camera and display, VP8, snapshot and the control socket.</summary>
    /// <param name="autoAnswer">Answer incoming calls at once (for a baresip that is called rather than calling).</param>
    /// <param name="rtpPorts">baresip's RTP port range: clear of the media port ranges of the silos a test runs.</param>
    public static BaresipVideo Prepare(string name, bool autoAnswer = false, int width = 640, int height = 360, string rtpPorts = "46000-47998")
    {
        var moduleDirectory = ModuleDirectories.FirstOrDefault(d => new[] { "vp8.so", "fakevideo.so", "snapshot.so", "ctrl_tcp.so" }.All(m => File.Exists(Path.Combine(d, m))));
        Assert.True(moduleDirectory is not null,
            $"baresip's vp8, fakevideo, snapshot and ctrl_tcp modules not found in {string.Join(", ", ModuleDirectories)}: apt-get install -y baresip");
        var directory = ExternalTool.TempDirectory("baresip-video-" + name);
        var sipPort = ExternalTool.FreeUdpPort(span: 2, tcpToo: true);
        var control = new BaresipControl(name, ExternalTool.FreeUdpPort(tcpToo: true));
        File.WriteAllLines(Path.Combine(directory, "config"),
        [
            "poll_method epoll",
            $"sip_listen 127.0.0.1:{sipPort}",
            "net_interface 127.0.0.1",
            $"rtp_ports {rtpPorts}",
            $"audio_source aubridge,{name}-mic",
            $"audio_player aubridge,{name}-speaker",
            $"audio_alert aubridge,{name}-alert",
            "video_source fakevideo,nil",
            "video_display fakevideo,nil",
            $"video_size {width}x{height}",
            "video_bitrate 800000",
            "video_fps 25",
            $"module_path {moduleDirectory}",
            "module g711.so",
            "module opus.so",
            "module aubridge.so",
            "module fakevideo.so",
            "module vp8.so",
            "module snapshot.so",
            "module ctrl_tcp.so",
            control.ConfigLine,
            "module_app account.so",
            "module_app menu.so",
        ]);
        File.WriteAllText(Path.Combine(directory, "accounts"), $"<sip:{name}@127.0.0.1:{sipPort}>;regint=0{(autoAnswer ? ";answermode=auto" : "")}\n");
        return new BaresipVideo { Name = name, Directory = directory, SipPort = sipPort, Control = control };
    }

    /// <summary>Runs baresip for <paramref name="seconds"/> (killed 20 s later if it has not quit), dialling <paramref name="uri"/> at once if given.</summary>
    public async Task RunAsync(string? uri, int seconds)
    {
        var baresip = ExternalTool.Require("baresip", "baresip");
        string[] dial = uri is null ? [] : ["-e", $"/dial {uri}"];
        Result = await ExternalTool.RunAsync(baresip,
            ["-f", Directory, .. dial, "-t", seconds.ToString(CultureInfo.InvariantCulture)],
            Directory, TimeSpan.FromSeconds(seconds + 20));
    }

    /// <summary>Hangs up its call (a BYE to the other side) and quits: its run ends.</summary>
    public Task HangUpAndQuitAsync() => Control.HangUpAndQuitAsync();

    /// <summary>Quits without a call to hang up (the called side, once the caller has hung up): its run ends.</summary>
    public Task QuitAsync() => Control.QuitAsync();

    /// <summary>Photographs the next picture the call's video decoder shows (snapshot_recv) and reads it.</summary>
    public Task<RgbPicture> SnapshotReceivedAsync() => SnapshotAsync("snapshot_recv", "received");

    /// <summary>Photographs the next picture baresip's camera sends (snapshot_send).</summary>
    public Task<RgbPicture> SnapshotSentAsync() => SnapshotAsync("snapshot_send", "sent");

    private async Task<RgbPicture> SnapshotAsync(string command, string kind)
    {
        string path = Path.Combine(Directory, $"{kind}-{Guid.NewGuid():N}.png");
        await Control.SendAsync(command, path);
        // The snapshot is written when the next frame passes the filter: wait for the file, bounded.
        for (int attempt = 0; attempt < 100 && !IsComplete(path); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(IsComplete(path), $"{Name}: no {kind} snapshot at {path}\n{Result?.Describe()}");
        return RgbPicture.ReadPng(path);
    }

    private static bool IsComplete(string path)
    {
        try
        {
            // PNG ends with the IEND chunk: "IEND" + CRC.
            byte[] bytes = File.ReadAllBytes(path);
            return bytes.Length > 12 && bytes.AsSpan(bytes.Length - 8, 4).SequenceEqual("IEND"u8);
        }
        catch (IOException)
        {
            return false;
        }
    }
}

/// <summary>An RGB picture read from a PNG (StbImageSharp), sampled by tile in fractions of the picture.</summary>
internal sealed record RgbPicture(int Width, int Height, byte[] Rgb)
{
    public static RgbPicture ReadPng(string path)
    {
        using FileStream stream = File.OpenRead(path);
        ImageResult image = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
        return new RgbPicture(image.Width, image.Height, image.Data);
    }

    /// <summary>The mean (R, G, B) of the inner half of a tile given in fractions of the picture.</summary>
    public (int R, int G, int B) MeanOf(double x, double y, double width, double height)
    {
        int left = (int)((x + width / 4) * Width), top = (int)((y + height / 4) * Height);
        int right = Math.Max(left + 1, (int)((x + width * 3 / 4) * Width)), bottom = Math.Max(top + 1, (int)((y + height * 3 / 4) * Height));
        long r = 0, g = 0, b = 0, n = 0;
        for (int row = top; row < bottom; row++)
        {
            for (int column = left; column < right; column++)
            {
                int i = (row * Width + column) * 3;
                r += Rgb[i];
                g += Rgb[i + 1];
                b += Rgb[i + 2];
                n++;
            }
        }

        return ((int)(r / n), (int)(g / n), (int)(b / n));
    }

    /// <summary>How far apart two colours are: the largest per-channel difference.</summary>
    public static int Distance((int R, int G, int B) a, (int R, int G, int B) b) =>
        Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B)));
}
