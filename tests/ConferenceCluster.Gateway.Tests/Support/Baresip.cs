using System.Globalization;

namespace ConferenceCluster.Gateway.Tests.Support;

/// <summary>
/// One baresip (Debian baresip-core 1.0.0) instance with a config directory of its own: it dials a VMR, sends a
/// WAV file as its microphone (aufile) and records what it hears (sndfile's decoder-side dump), then quits
/// after <c>-t</c> seconds.
/// </summary>
/// <remarks>
/// baresip 1.0.0's aufile module is a source only (the aufile player came in later releases: `strings aufile.so`
/// shows only ausrc_register), so the player is a silent aubridge device and the received audio is taken
/// from the sndfile filter, which writes the decoded far-end audio of each call to <c>dump-…-dec.wav</c>
/// right after the decoder, the same samples an aufile player would have written. A test done with it early ends it
/// over the ctrl_tcp socket (<see cref="HangUpAndQuitAsync"/>): hanging up closes the recording.
/// </remarks>
internal sealed class Baresip
{
    private static readonly string[] ModuleDirectories =
        ["/usr/lib/baresip/modules", "/usr/lib/x86_64-linux-gnu/baresip/modules", "/usr/lib/aarch64-linux-gnu/baresip/modules", "/usr/local/lib/baresip/modules"];

    public required string Name { get; init; }

    public required string Directory { get; init; }

    public required double ToneHz { get; init; }

    public required bool PcmuOnly { get; init; }

    public required BaresipControl Control { get; init; }

    public ToolResult? Result { get; private set; }

    /// <summary>Writes the config, accounts and tone for a peer that sends <paramref name="toneHz"/>.</summary>
    public static Baresip Prepare(string name, double toneHz, bool pcmuOnly)
    {
        var moduleDirectory = ModuleDirectories.FirstOrDefault(d => new[] { "aufile.so", "ctrl_tcp.so" }.All(m => File.Exists(Path.Combine(d, m))));
        Assert.True(moduleDirectory is not null, $"baresip modules (aufile.so, ctrl_tcp.so) not found in {string.Join(", ", ModuleDirectories)}: apt-get install -y baresip");
        var directory = ExternalTool.TempDirectory("baresip-" + name);
        var sipPort = ExternalTool.FreeUdpPort(span: 2, tcpToo: true);
        var control = new BaresipControl(name, ExternalTool.FreeUdpPort(tcpToo: true));
        var tone = Path.Combine(directory, "tone.wav");
        // aufile 1.0.0 needs the file at the codec's rate and channels: 48 kHz stereo for Opus, 8 kHz mono for PCMU.
        if (pcmuOnly) Audio.WriteTone(tone, toneHz, 8000, 1, seconds: 30);
        else Audio.WriteTone(tone, toneHz, 48000, 2, seconds: 30);
        var modules = pcmuOnly ? ["g711.so"] : new[] { "g711.so", "opus.so" };
        File.WriteAllLines(Path.Combine(directory, "config"),
        [
            "poll_method epoll",
            $"sip_listen 127.0.0.1:{sipPort}",
            "net_interface 127.0.0.1",
            "rtp_ports 46000-47998",
            $"audio_source aufile,{tone}",
            $"audio_player aubridge,{name}-speaker",
            $"audio_alert aubridge,{name}-alert",
            $"module_path {moduleDirectory}",
            .. modules.Select(m => $"module {m}"),
            "module aufile.so",
            "module aubridge.so",
            "module sndfile.so",
            $"snd_path {directory}",
            "module ctrl_tcp.so",
            control.ConfigLine,
            "module_app account.so",
            "module_app menu.so",
        ]);
        var codecs = pcmuOnly ? ";audio_codecs=PCMU/8000/1" : "";
        File.WriteAllText(Path.Combine(directory, "accounts"), $"<sip:{name}@127.0.0.1:{sipPort}>;regint=0{codecs}\n");
        return new Baresip { Name = name, Directory = directory, ToneHz = toneHz, PcmuOnly = pcmuOnly, Control = control };
    }

    /// <summary>Dials <paramref name="uri"/> at once and quits after <paramref name="seconds"/> (killed 20 s later if it has not).</summary>
    public async Task RunAsync(string uri, int seconds)
    {
        var baresip = ExternalTool.Require("baresip", "baresip");
        Result = await ExternalTool.RunAsync(baresip,
            ["-f", Directory, "-e", $"/dial {uri}", "-t", seconds.ToString(CultureInfo.InvariantCulture)],
            Directory, TimeSpan.FromSeconds(seconds + 20));
    }

    /// <summary>Hangs up its call and quits, before its <c>-t</c>: its run ends and its recording is closed.</summary>
    public Task HangUpAndQuitAsync() => Control.HangUpAndQuitAsync();

    /// <summary>The decoded far-end audio sndfile recorded (the one call's dump-*-dec.wav).</summary>
    public (int SampleRate, short[] Samples) Recording()
    {
        var files = System.IO.Directory.GetFiles(Directory, "dump-*-dec.wav");
        Assert.True(files.Length == 1, $"{Name}: expected one decoder recording in {Directory}, found {files.Length}\n{Result?.Describe()}");
        return Audio.ReadWav(files[0]);
    }
}
