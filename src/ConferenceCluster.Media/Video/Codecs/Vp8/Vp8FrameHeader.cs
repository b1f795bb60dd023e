using System.Buffers.Binary;

namespace ConferenceCluster.Media.Video.Codecs.Vp8;

/// <summary>
/// The uncompressed start of a VP8 frame (RFC 6386 §9.1): the 3-byte frame tag, and for a key frame the start code
/// and the picture size. Read before a frame reaches libvpx, so a size from the network is checked first.
/// </summary>
public readonly record struct Vp8FrameHeader(bool IsKeyframe, int Version, bool ShowFrame, int FirstPartitionSize, int Width, int Height)
{
    /// <summary>Frame tag (3 bytes) + start code (3) + width and height (2 + 2) of a key frame.</summary>
    public const int KeyframeHeaderBytes = 10;

    /// <summary>Parses the header; false for anything that is not a plausible VP8 frame (never throws).</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Vp8FrameHeader header)
    {
        header = default;
        if (frame.Length < 3)
        {
            return false;
        }

        int tag = frame[0] | frame[1] << 8 | frame[2] << 16;
        bool keyframe = (tag & 1) == 0; // RFC 6386 9.1: 0 means key frame
        int version = (tag >> 1) & 7;
        bool show = ((tag >> 4) & 1) != 0;
        int firstPartitionSize = tag >> 5;
        if (version > 3 || firstPartitionSize > frame.Length)
        {
            return false;
        }

        if (!keyframe)
        {
            header = new Vp8FrameHeader(false, version, show, firstPartitionSize, 0, 0);
            return true;
        }

        if (frame.Length < KeyframeHeaderBytes || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a)
        {
            return false;
        }

        // 14 bits of size, 2 bits of (ignored) upscaling hint.
        int width = BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & 0x3FFF;
        int height = BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & 0x3FFF;
        if (width == 0 || height == 0)
        {
            return false;
        }

        header = new Vp8FrameHeader(true, version, show, firstPartitionSize, width, height);
        return true;
    }
}
