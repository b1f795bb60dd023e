using System.Buffers.Binary;
using System.Text;
using ConferenceCluster.Media.Rtp;

namespace ConferenceCluster.Media.Video.Mixing;

/// <summary>
/// The RTP header extension every backplane video packet carries (RFC 8285 two-byte form, profile 0x100): element 1 is
/// the participant's audio level (one byte, 0–127 = −dBov, as RFC 6464), element 2 the participant's key in UTF-8.
/// With it a node knows whose picture a stream is and how loud that participant speaks, so every node composes the
/// same layouts and switches on the same voices without asking anyone.
/// </summary>
public static class BackplaneVideoExtension
{
    /// <summary>Longest participant key carried (a GUID in text is 36).</summary>
    public const int MaxKeyBytes = 64;

    private const byte LevelId = 1;
    private const byte KeyId = 2;

    /// <summary>Writes the extension block (its 4-byte header, the two elements, zero padding to 32 bits).</summary>
    /// <returns>Bytes written.</returns>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> keyUtf8, double levelDbfs)
    {
        if (keyUtf8.IsEmpty || keyUtf8.Length > MaxKeyBytes)
        {
            throw new ArgumentException($"A key is 1–{MaxKeyBytes} bytes.", nameof(keyUtf8));
        }

        int body = 2 + 1 + 2 + keyUtf8.Length;
        int words = (body + 3) / 4;
        destination[0] = 0x10;
        destination[1] = 0x00;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)words);
        Span<byte> elements = destination.Slice(4, words * 4);
        elements.Clear();
        elements[0] = LevelId;
        elements[1] = 1;
        elements[2] = (byte)Math.Clamp((int)Math.Round(-levelDbfs), 0, 127);
        elements[3] = KeyId;
        elements[4] = (byte)keyUtf8.Length;
        keyUtf8.CopyTo(elements[5..]);
        return 4 + words * 4;
    }

    /// <summary>
    /// Reads the key and level of a received packet. False (never throws) when the packet has no extension of this
    /// form, no key, or a key that is not 1–64 bytes of valid UTF-8.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, in RtpHeader header, out ReadOnlySpan<byte> keyUtf8, out double levelDbfs)
    {
        keyUtf8 = default;
        levelDbfs = Media.Workers.MediaParticipant.SilentDbfs;
        if (!header.Extension)
        {
            return false;
        }

        int start = RtpHeader.FixedLength + 4 * header.CsrcCount;
        if (packet.Length < start + 4 || packet[start] != 0x10 || (packet[start + 1] & 0xF0) != 0)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(start + 2)..]) * 4;
        if (packet.Length < start + 4 + length)
        {
            return false;
        }

        ReadOnlySpan<byte> elements = packet.Slice(start + 4, length);
        bool haveKey = false;
        for (int i = 0; i + 2 <= elements.Length;)
        {
            byte id = elements[i];
            if (id == 0)
            {
                i++; // padding
                continue;
            }

            int size = elements[i + 1];
            if (i + 2 + size > elements.Length)
            {
                return false;
            }

            ReadOnlySpan<byte> data = elements.Slice(i + 2, size);
            if (id == LevelId && size == 1)
            {
                levelDbfs = -(data[0] & 0x7F);
            }
            else if (id == KeyId && size is > 0 and <= MaxKeyBytes && System.Text.Unicode.Utf8.IsValid(data))
            {
                keyUtf8 = data;
                haveKey = true;
            }

            i += 2 + size;
        }

        return haveKey;
    }
}
