using System.Globalization;
using System.Net.Sockets;
using System.Text;
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

    public required int ControlPort { get; init; }

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
        var controlPort = ExternalTool.FreeUdpPort(tcpToo: true);
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
            $"ctrl_tcp_listen 127.0.0.1:{controlPort}",
            "module_app account.so",
            "module_app menu.so",
        ]);
        File.WriteAllText(Path.Combine(directory, "accounts"), $"<sip:{name}@127.0.0.1:{sipPort}>;regint=0{(autoAnswer ? ";answermode=auto" : "")}\n");
        return new BaresipVideo { Name = name, Directory = directory, SipPort = sipPort, ControlPort = controlPort };
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
    public async Task HangUpAndQuitAsync()
    {
        await SendCommandAsync("hangup", "");
        await SendCommandAsync("quit", "", expectReply: false);
    }

    /// <summary>Photographs the next picture the call's video decoder shows (snapshot_recv) and reads it.</summary>
    public Task<RgbPicture> SnapshotReceivedAsync() => SnapshotAsync("snapshot_recv", "received");

    /// <summary>Photographs the next picture baresip's camera sends (snapshot_send).</summary>
    public Task<RgbPicture> SnapshotSentAsync() => SnapshotAsync("snapshot_send", "sent");

    private async Task<RgbPicture> SnapshotAsync(string command, string kind)
    {
        string path = Path.Combine(Directory, $"{kind}-{Guid.NewGuid():N}.png");
        await SendCommandAsync(command, path);
        // The snapshot is written when the next frame passes the filter: wait for the file, bounded.
        for (int attempt = 0; attempt < 100 && !IsComplete(path); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(IsComplete(path), $"{Name}: no {kind} snapshot at {path}\n{Result?.Describe()}");
        return RgbPicture.ReadPng(path);
    }

    /// <summary>One command over ctrl_tcp: a netstring of {"command", "params", "token"}; waits for the reply (quit may exit before it answers).</summary>
    private async Task SendCommandAsync(string command, string parameters, bool expectReply = true)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", ControlPort);
                string json = $"{{\"command\":\"{command}\",\"params\":\"{parameters}\",\"token\":\"{attempt}\"}}";
                byte[] netstring = Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(json)}:{json},");
                NetworkStream stream = client.GetStream();
                await stream.WriteAsync(netstring);
                if (!expectReply) return;
                // The socket also carries baresip's events ({"event":true, ...}, e.g. CALL_CLOSED after a hangup): skip
                // them until the command's response ({"response":true, "ok":..., "token":...}).
                string response = await ReadResponseAsync(stream, TimeSpan.FromSeconds(5));
                Assert.True(response.Contains("\"ok\":true", StringComparison.Ordinal), $"{Name}: {command} answered {response}");
                return;
            }
            catch (SocketException) when (attempt < 50)
            {
                await Task.Delay(100); // baresip is still starting
            }
        }
    }

    /// <summary>Reads netstrings (<c>length:json,</c>) until one is a response; everything read is in the failure message otherwise.</summary>
    private static async Task<string> ReadResponseAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(buffer, cancel.Token);
                if (read == 0) return received.ToString();
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                for (string rest = received.ToString(); rest.IndexOf(':') is var colon and > 0 && int.TryParse(rest[..colon], out int length) && rest.Length >= colon + 1 + length + 1;
                     rest = rest[(colon + 2 + length)..])
                {
                    string message = rest.Substring(colon + 1, length);
                    if (message.Contains("\"response\":true", StringComparison.Ordinal)) return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return received.ToString();
        }
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
