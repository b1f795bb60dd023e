using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ConferenceCluster.Runtime.Messaging;

/// <summary>
/// Length-prefixed binary frames: [int32 length][byte kind][int64 id][byte forwards][5 strings][body].
/// Strings are an int32 byte count (-1 for null) and UTF-8. Every length is checked against the frame, so
/// garbage from a peer becomes a <see cref="ProtocolViolationException"/>, never an over-read or a huge allocation.
/// </summary>
internal static class MessageCodec
{
    private const int FixedHeaderBytes = 1 + 8 + 1;

    public static void Write(IBufferWriter<byte> output, Message message)
    {
        var length = FixedHeaderBytes
            + StringSize(message.GrainType) + StringSize(message.GrainKey) + StringSize(message.Method)
            + StringSize(message.ErrorType) + StringSize(message.ErrorMessage)
            + 4 + message.Body.Length;
        var span = output.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        span[4] = (byte)message.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], message.Id);
        span[13] = message.ForwardCount;
        var offset = 14;
        offset += WriteString(span[offset..], message.GrainType);
        offset += WriteString(span[offset..], message.GrainKey);
        offset += WriteString(span[offset..], message.Method);
        offset += WriteString(span[offset..], message.ErrorType);
        offset += WriteString(span[offset..], message.ErrorMessage);
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], message.Body.Length);
        message.Body.Span.CopyTo(span[(offset + 4)..]);
        output.Advance(4 + length);
    }

    /// <summary>Reads one whole frame if the buffer holds one; advances <paramref name="buffer"/> past it.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageBytes, out Message message)
    {
        message = null!;
        if (buffer.Length < 4) return false;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < FixedHeaderBytes + 5 * 4 + 4 || length > maxMessageBytes)
            throw new ProtocolViolationException($"frame length {length} out of bounds");
        if (buffer.Length < 4 + length) return false;

        var frame = buffer.Slice(4, length);
        var bytes = frame.IsSingleSegment ? frame.FirstSpan : frame.ToArray();
        message = Parse(bytes);
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private static Message Parse(ReadOnlySpan<byte> frame)
    {
        var kind = (MessageKind)frame[0];
        if (kind is < MessageKind.Handshake or > MessageKind.Broadcast)
            throw new ProtocolViolationException($"unknown message kind {(byte)kind}");
        var id = BinaryPrimitives.ReadInt64LittleEndian(frame[1..]);
        var forwards = frame[9];
        var reader = new FrameReader(frame[FixedHeaderBytes..]);
        var grainType = reader.ReadString();
        var grainKey = reader.ReadString();
        var method = reader.ReadString();
        var errorType = reader.ReadString();
        var errorMessage = reader.ReadString();
        var body = reader.ReadBytes();
        if (!reader.AtEnd)
            throw new ProtocolViolationException("trailing bytes in frame");
        return new Message
        {
            Kind = kind, Id = id, ForwardCount = forwards, GrainType = grainType, GrainKey = grainKey, Method = method,
            ErrorType = errorType, ErrorMessage = errorMessage, Body = body,
        };
    }

    private static int StringSize(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    private static int WriteString(Span<byte> span, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, -1);
            return 4;
        }
        var written = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, written);
        return 4 + written;
    }

    private ref struct FrameReader(ReadOnlySpan<byte> remaining)
    {
        private ReadOnlySpan<byte> _remaining = remaining;

        public readonly bool AtEnd => _remaining.IsEmpty;

        public string? ReadString()
        {
            var length = ReadLength(allowNull: true);
            if (length < 0) return null;
            var value = Encoding.UTF8.GetString(_remaining[..length]);
            _remaining = _remaining[length..];
            return value;
        }

        public byte[] ReadBytes()
        {
            var length = ReadLength(allowNull: false);
            var value = _remaining[..length].ToArray();
            _remaining = _remaining[length..];
            return value;
        }

        private int ReadLength(bool allowNull)
        {
            if (_remaining.Length < 4) throw new ProtocolViolationException("truncated frame");
            var length = BinaryPrimitives.ReadInt32LittleEndian(_remaining);
            _remaining = _remaining[4..];
            if (length == -1 && allowNull) return -1;
            if (length < 0 || length > _remaining.Length) throw new ProtocolViolationException($"field length {length} out of bounds");
            return length;
        }
    }
}
