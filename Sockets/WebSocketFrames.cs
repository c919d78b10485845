using System.Buffers.Binary;
using System.Text;

namespace SkubberPush.Sockets;

/// <summary>
/// Server → client WebSocket frames (RFC 6455 §5.2) built whole. A server's frames are unmasked, so
/// one event's frame is the same bytes for every subscriber: it is built once and written as is.
/// </summary>
public static class WebSocketFrames
{
    private const byte Fin = 0x80;
    private const byte TextOpcode = 0x1;
    private const byte BinaryOpcode = 0x2;
    private const byte CloseOpcode = 0x8;
    private const byte PongOpcode = 0xA;
    private const int MaxControlPayload = 125;

    /// <summary>The close frame that ends a connection normally (1000, no reason); shared, as frames are never changed once built.</summary>
    public static readonly byte[] NormalClose = Close((int)System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "");

    public static byte[] Text(ReadOnlySpan<byte> payload) => Build(TextOpcode, payload);

    /// <summary>A message as a binary frame, or a text frame (which must then be UTF-8).</summary>
    public static byte[] Message(ReadOnlySpan<byte> payload, bool binary) => Build(binary ? BinaryOpcode : TextOpcode, payload);

    /// <summary>The answer to a client's ping: the same application data (§5.5.3).</summary>
    public static byte[] Pong(ReadOnlySpan<byte> pingPayload) => Build(PongOpcode, pingPayload);

    /// <summary>A close frame with the status code and a reason clipped to fit a control frame.</summary>
    public static byte[] Close(int code, string reason)
    {
        Span<byte> payload = stackalloc byte[MaxControlPayload];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        var text = reason.AsSpan();
        while (Encoding.UTF8.GetByteCount(text) > MaxControlPayload - 2)
            text = text[..^(text.Length > 1 && char.IsLowSurrogate(text[^1]) ? 2 : 1)];
        var length = 2 + Encoding.UTF8.GetBytes(text, payload[2..]);
        return Build(CloseOpcode, payload[..length]);
    }

    /// <summary>The payload size of a frame built here (its header is 2, 4 or 10 bytes, §5.2).</summary>
    public static int PayloadLength(byte[] frame) => frame.Length - (frame[1] switch { 126 => 4, 127 => 10, _ => 2 });

    private static byte[] Build(byte opcode, ReadOnlySpan<byte> payload)
    {
        var header = payload.Length switch { < 126 => 2, <= ushort.MaxValue => 4, _ => 10 };
        var frame = new byte[header + payload.Length];
        frame[0] = (byte)(Fin | opcode);
        switch (header)
        {
            case 2:
                frame[1] = (byte)payload.Length;
                break;
            case 4:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }
}
