namespace ConferenceCluster.Media.Video.Rtp;

/// <summary>
/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2): start-of-partition bit, partition
/// index and the optional picture id, TL0PICIDX, TID/KEYIDX. Parsing never throws: a descriptor that claims more bytes
/// than the payload has is rejected.
/// </summary>
/// <param name="StartOfPartition">S: this packet starts a VP8 partition (with <see cref="PartitionIndex"/> 0, a frame).</param>
/// <param name="PartitionIndex">PID: 0–7.</param>
/// <param name="NonReference">N: the frame is not used as a reference (may be dropped without damage).</param>
/// <param name="PictureId">The 7- or 15-bit picture id, or −1 when absent.</param>
/// <param name="Length">Bytes the descriptor occupies; the VP8 data follows.</param>
public readonly record struct Vp8PayloadDescriptor(bool StartOfPartition, int PartitionIndex, bool NonReference, int PictureId, bool LongPictureId, int Length)
{
    /// <summary>What we write: the mandatory byte, the extension byte and a 15-bit picture id.</summary>
    public const int WrittenLength = 4;

    /// <summary>Whether this packet begins a frame (S = 1 and PID = 0).</summary>
    public bool StartsFrame => StartOfPartition && PartitionIndex == 0;

    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte first = payload[0];
        bool extended = (first & 0x80) != 0;
        bool nonReference = (first & 0x20) != 0;
        bool start = (first & 0x10) != 0;
        int partition = first & 0x07;
        int offset = 1;
        int pictureId = -1;
        bool longPictureId = false;
        if (extended)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte flags = payload[1];
            offset = 2;
            if ((flags & 0x80) != 0) // I: picture id
            {
                if (payload.Length < offset + 1)
                {
                    return false;
                }

                longPictureId = (payload[offset] & 0x80) != 0;
                if (longPictureId)
                {
                    if (payload.Length < offset + 2)
                    {
                        return false;
                    }

                    pictureId = (payload[offset] & 0x7F) << 8 | payload[offset + 1];
                    offset += 2;
                }
                else
                {
                    pictureId = payload[offset] & 0x7F;
                    offset += 1;
                }
            }

            if ((flags & 0x40) != 0) // L: TL0PICIDX
            {
                offset += 1;
            }

            if ((flags & 0x30) != 0) // T or K: TID/Y/KEYIDX
            {
                offset += 1;
            }
        }

        // A payload must carry VP8 data after its descriptor.
        if (offset >= payload.Length)
        {
            return false;
        }

        descriptor = new Vp8PayloadDescriptor(start, partition, nonReference, pictureId, longPictureId, offset);
        return true;
    }

    /// <summary>Writes our descriptor: X=1, S, PID=0, then I=1 and the 15-bit picture id (M=1).</summary>
    /// <returns><see cref="WrittenLength"/>.</returns>
    public static int Write(Span<byte> destination, bool startOfFrame, int pictureId)
    {
        destination[0] = (byte)(0x80 | (startOfFrame ? 0x10 : 0));
        destination[1] = 0x80;
        destination[2] = (byte)(0x80 | ((pictureId >> 8) & 0x7F));
        destination[3] = (byte)pictureId;
        return WrittenLength;
    }

    /// <summary>Rewrites the 15-bit picture id of a descriptor we wrote (a shared frame gets each viewer's own ids).</summary>
    public static void RewritePictureId(Span<byte> descriptor, int pictureId)
    {
        descriptor[2] = (byte)(0x80 | ((pictureId >> 8) & 0x7F));
        descriptor[3] = (byte)pictureId;
    }
}
