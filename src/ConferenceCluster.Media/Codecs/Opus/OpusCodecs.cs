using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Concentus;
using Concentus.Enums;

namespace ConferenceCluster.Media.Codecs.Opus;

/// <summary>Which Opus implementation a node runs.</summary>
public enum OpusCodecPath
{
    /// <summary>Concentus.Native over the system's libopus (Debian <c>libopus0</c>): libopus speed.</summary>
    Native,

    /// <summary>Concentus's managed C# port of libopus 1.1.2: the fallback where libopus is missing (several times slower).</summary>
    Managed,
}

/// <summary>
/// What this process's Opus codecs run on: <see cref="Path"/>, the library's version string (e.g. "libopus 1.3.1"),
/// and for the native path the file it loaded (e.g. "libopus.so.0").
/// </summary>
public sealed record OpusImplementation(OpusCodecPath Path, string Version, string? NativeLibrary)
{
    public override string ToString() => Path == OpusCodecPath.Native
        ? $"native ({Version}, {NativeLibrary}, via Concentus {OpusCodecs.ConcentusVersion})"
        : $"managed (Concentus {OpusCodecs.ConcentusVersion}, {Version})";
}

/// <summary>
/// The one place the process's Opus encoders and decoders come from (Concentus 2.2.2), and the one place that makes
/// sure Concentus takes its native path over the system's libopus.
/// </summary>
/// <remarks>
/// <para>
/// Concentus's <see cref="OpusCodecFactory"/> decides "native or managed" by <c>dlopen("libopus.so")</c>, the
/// unversioned name only the <c>-dev</c> package installs; Debian's runtime package <c>libopus0</c> ships
/// <c>libopus.so.0</c> alone, so on a production node the factory would silently fall back to the managed port
/// (about 6.5× slower). This class therefore (1) installs a <see cref="NativeLibrary"/> resolver on the Concentus
/// assembly that maps its <c>opus</c> imports to the first of <see cref="LibraryCandidates"/> that loads, and (2)
/// when one did, creates Concentus's own native encoder and decoder directly (their <c>Create</c> methods, reached
/// with <see cref="UnsafeAccessorAttribute"/> since the classes are internal), bypassing the factory's probe.
/// Without libopus it creates the managed port. Which path was taken is <see cref="Implementation"/>, decided once
/// per process; a test pins it to native on our machines.
/// </para>
/// <para>Creating codecs allocates; encoding and decoding (spans in, spans out) do not.</para>
/// </remarks>
public static class OpusCodecs
{
    /// <summary>libopus file names tried in order: Debian/Ubuntu's runtime soname first, then other platforms' names.</summary>
    public static readonly IReadOnlyList<string> LibraryCandidates = ["libopus.so.0", "libopus.so", "libopus.0.dylib", "opus.dll"];

    private const string ConcentusImportName = "opus";
    private static readonly Lazy<OpusImplementation> Detected = new(Detect, LazyThreadSafetyMode.ExecutionAndPublication);
    private static IntPtr s_library;
    private static string? s_libraryName;

    /// <summary>The implementation this process uses (probed once, on first use).</summary>
    public static OpusImplementation Implementation => Detected.Value;

    /// <summary>The Concentus package version in use.</summary>
    public static string ConcentusVersion { get; } =
        typeof(OpusCodecFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OpusCodecFactory).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>A 48 kHz-capable Opus encoder on the process's implementation.</summary>
    public static IOpusEncoder CreateEncoder(int sampleRate, int channels, Concentus.Enums.OpusApplication application) =>
        CreateEncoder(Implementation.Path, sampleRate, channels, application);

    /// <summary>An Opus decoder on the process's implementation.</summary>
    public static IOpusDecoder CreateDecoder(int sampleRate, int channels) => CreateDecoder(Implementation.Path, sampleRate, channels);

    /// <summary>An encoder on a chosen path (benchmarks compare them; <see cref="OpusCodecPath.Native"/> needs libopus).</summary>
    internal static IOpusEncoder CreateEncoder(OpusCodecPath path, int sampleRate, int channels, Concentus.Enums.OpusApplication application)
    {
        if (path == OpusCodecPath.Native)
        {
            RequireNative();
            return (IOpusEncoder)ConcentusNative.CreateEncoder(null, sampleRate, channels, application);
        }

#pragma warning disable CS0618 // the managed port on purpose: the factory would pick native whenever it can
        return new Concentus.Structs.OpusEncoder(sampleRate, channels, application);
#pragma warning restore CS0618
    }

    internal static IOpusDecoder CreateDecoder(OpusCodecPath path, int sampleRate, int channels)
    {
        if (path == OpusCodecPath.Native)
        {
            RequireNative();
            return (IOpusDecoder)ConcentusNative.CreateDecoder(null, sampleRate, channels);
        }

#pragma warning disable CS0618
        return new Concentus.Structs.OpusDecoder(sampleRate, channels);
#pragma warning restore CS0618
    }

    private static void RequireNative()
    {
        if (Implementation.Path != OpusCodecPath.Native)
        {
            throw new DllNotFoundException("libopus could not be loaded (tried " + string.Join(", ", LibraryCandidates) +
                "); on Debian/Ubuntu install it with: apt-get install -y libopus0");
        }
    }

    private static OpusImplementation Detect()
    {
        foreach (string candidate in LibraryCandidates)
        {
            if (NativeLibrary.TryLoad(candidate, typeof(OpusCodecs).Assembly, null, out IntPtr handle))
            {
                s_library = handle;
                s_libraryName = candidate;
                break;
            }
        }

        if (s_library != IntPtr.Zero)
        {
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(OpusCodecFactory).Assembly, ResolveConcentusImport);
            }
            catch (InvalidOperationException)
            {
                // Someone else already resolves Concentus's imports; the probe encode below tells whether they work.
            }

            try
            {
                using var probe = (IOpusEncoder)ConcentusNative.CreateEncoder(null, AudioFormat.MixSampleRate, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP);
                return new OpusImplementation(OpusCodecPath.Native, probe.GetVersionString(), s_libraryName);
            }
            catch (Exception exception) when (exception is MissingMethodException or DllNotFoundException or EntryPointNotFoundException or TypeLoadException)
            {
                System.Diagnostics.Trace.TraceWarning($"Opus: libopus loaded from {s_libraryName} but Concentus's native path failed ({exception.GetType().Name}: {exception.Message}); using the managed port.");
            }
        }

#pragma warning disable CS0618
        using var managed = new Concentus.Structs.OpusEncoder(AudioFormat.MixSampleRate, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP);
#pragma warning restore CS0618
        return new OpusImplementation(OpusCodecPath.Managed, managed.GetVersionString(), null);
    }

    private static IntPtr ResolveConcentusImport(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == ConcentusImportName ? s_library : IntPtr.Zero;

    /// <summary>Concentus's own native encoder and decoder (internal classes of the package, public static <c>Create</c>).</summary>
    private static class ConcentusNative
    {
        private const string EncoderType = "Concentus.Native.NativeOpusEncoder, Concentus";
        private const string DecoderType = "Concentus.Native.NativeOpusDecoder, Concentus";

        [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "Create")]
        [return: UnsafeAccessorType(EncoderType)]
        public static extern object CreateEncoder([UnsafeAccessorType(EncoderType)] object? type, int sampleRate, int channelCount, Concentus.Enums.OpusApplication application);

        [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "Create")]
        [return: UnsafeAccessorType(DecoderType)]
        public static extern object CreateDecoder([UnsafeAccessorType(DecoderType)] object? type, int sampleRate, int channelCount);
    }
}
