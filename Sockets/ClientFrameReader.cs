using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text.Unicode;

namespace SkubberPush.Sockets;

/// <summary>
/// Reads a client's WebSocket frames (RFC 6455 §5) straight from the connection's pipe: unmasks
/// them, joins fragments, checks the rules a server must check, and hands back whole messages.
/// Nothing is buffered while the client is quiet: the pipe holds bytes only once they arrive.
/// </summary>
public sealed class ClientFrameReader(PipeReader input, int maxMessageBytes)
{
    private const int MaxControlPayload = 125;

    /// <summary>The largest message taken; a larger one is <see cref="ClientMessageKind.TooBig"/>.</summary>
    public int MaxMessageBytes => maxMessageBytes;

    private byte[]? _partial; // a fragmented message being joined
    private int _partialLength;
    private bool _partialIsText;

    /// <summary>
    /// The next message or control frame. A message's bytes are in a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/>, which the caller returns with <see cref="ClientMessage.Release"/>.
    /// </summary>
    public async ValueTask<ClientMessage> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(await input.ReadAsync(cancellationToken), out var message))
                return message;
        }
    }

    /// <summary>
    /// The receive loop of a long-lived connection: hands each message to <paramref name="handler"/>
    /// until it says stop, the client's input ends, or a pending read is cancelled
    /// (<see cref="PipeReader.CancelPendingRead"/>: a close that went unanswered, an abort). It awaits
    /// the pipe itself, so while the client is quiet this loop is the connection's only async state.
    /// </summary>
    public async Task ReceiveAllAsync(IClientMessageHandler handler)
    {
        try
        {
            while (true)
            {
                var read = await input.ReadAsync();
                if (read.IsCanceled)
                {
                    input.AdvanceTo(read.Buffer.Start);
                    return;
                }
                if (!TryTake(read, out var message))
                    continue;
                bool more;
                try
                {
                    more = await handler.HandleAsync(message);
                }
                finally
                {
                    message.Release();
                }
                if (!more)
                    return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The peer went away or the transport was aborted; the handler's end follows either way.
        }
        finally
        {
            await handler.OnEndedAsync();
        }
    }

    /// <summary>
    /// Takes one message from what <paramref name="read"/> (the input's latest read) holds and
    /// advances the input past it; false when more bytes are needed. A long-lived reader awaits
    /// <see cref="PipeReader.ReadAsync"/> itself and calls this, so no async state of ours waits
    /// beside the pipe's while the client is quiet.
    /// </summary>
    public bool TryTake(ReadResult read, out ClientMessage message)
    {
        var buffer = read.Buffer;
        var outcome = TryReadFrame(ref buffer, out message);
        if (outcome == FrameOutcome.NeedMore)
        {
            input.AdvanceTo(buffer.Start, buffer.End);
            message = new ClientMessage(ClientMessageKind.End);
            return read.IsCompleted;
        }
        input.AdvanceTo(buffer.Start);
        return outcome == FrameOutcome.Message;
    }

    private enum FrameOutcome { NeedMore, Consumed, Message }

    // Reads one frame from the front of buffer; on success buffer starts after it.
    private FrameOutcome TryReadFrame(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        message = default;
        Span<byte> header = stackalloc byte[14];
        if (buffer.Length < 2)
            return FrameOutcome.NeedMore;
        buffer.Slice(0, 2).CopyTo(header);
        var fin = (header[0] & 0x80) != 0;
        var opcode = header[0] & 0x0F;
        var masked = (header[1] & 0x80) != 0;
        var lengthCode = header[1] & 0x7F;
        var headerLength = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + 4;
        if ((header[0] & 0x70) != 0 || !masked) // no extension was negotiated; clients must mask (§5.1)
            return Fail(ClientMessageKind.ProtocolError, out message);
        if (buffer.Length < headerLength)
            return FrameOutcome.NeedMore;
        buffer.Slice(0, headerLength).CopyTo(header);
        long length = lengthCode switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
            _ => lengthCode,
        };
        var isControl = opcode >= 0x8;
        if (length < 0 || (isControl && (!fin || length > MaxControlPayload)))
            return Fail(ClientMessageKind.ProtocolError, out message);
        if (!isControl && (opcode == 0 ? _partial is null : opcode is not (1 or 2) || _partial is not null))
            return Fail(ClientMessageKind.ProtocolError, out message); // a stray continuation, an unknown opcode, or a new message mid-fragment
        if (!isControl && (opcode == 0 ? _partialLength : 0) + length > maxMessageBytes)
            return Fail(ClientMessageKind.TooBig, out message); // the rest is never read
        if (buffer.Length < headerLength + length)
            return FrameOutcome.NeedMore;

        var mask = BinaryPrimitives.ReadUInt32LittleEndian(header[(headerLength - 4)..]);
        var payload = buffer.Slice(headerLength, length);
        buffer = buffer.Slice(payload.End);
        if (isControl)
        {
            var control = ArrayPool<byte>.Shared.Rent((int)length);
            Unmask(payload, control, mask);
            message = opcode switch
            {
                0x8 => new ClientMessage(ClientMessageKind.Close, control, (int)length),
                0x9 => new ClientMessage(ClientMessageKind.Ping, control, (int)length),
                0xA => new ClientMessage(ClientMessageKind.Pong, control, (int)length),
                _ => new ClientMessage(ClientMessageKind.ProtocolError, control, 0),
            };
            return FrameOutcome.Message;
        }

        if (opcode != 0)
            (_partialIsText, _partialLength) = (opcode == 1, 0);
        if (_partial is null || _partial.Length < _partialLength + length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(fin && _partial is null ? (int)length : Math.Max(_partialLength + (int)length, 2 * (_partial?.Length ?? 1024)));
            if (_partial is not null)
            {
                _partial.AsSpan(0, _partialLength).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_partial);
            }
            _partial = grown;
        }
        Unmask(payload, _partial.AsSpan(_partialLength), mask);
        _partialLength += (int)length;
        if (!fin)
            return FrameOutcome.Consumed;

        var whole = new ClientMessage(_partialIsText ? ClientMessageKind.Text : ClientMessageKind.Binary, _partial, _partialLength);
        (_partial, _partialLength) = (null, 0);
        message = whole.Kind == ClientMessageKind.Text && !Utf8.IsValid(whole.Payload.Span)
            ? Release(whole, ClientMessageKind.InvalidText)
            : whole;
        return FrameOutcome.Message;
    }

    private static ClientMessage Release(ClientMessage message, ClientMessageKind kind)
    {
        message.Release();
        return new ClientMessage(kind);
    }

    private FrameOutcome Fail(ClientMessageKind kind, out ClientMessage message)
    {
        if (_partial is not null)
            ArrayPool<byte>.Shared.Return(_partial);
        (_partial, _partialLength) = (null, 0);
        message = new ClientMessage(kind);
        return FrameOutcome.Message;
    }

    // The 4-byte mask repeats over the payload (§5.3); the mask's byte order matches memory order.
    private static void Unmask(ReadOnlySequence<byte> payload, Span<byte> destination, uint mask)
    {
        payload.CopyTo(destination);
        var bytes = destination[..(int)payload.Length];
        var wide = (ulong)mask | ((ulong)mask << 32);
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[i..], BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]) ^ wide);
        for (; i < bytes.Length; i++)
            bytes[i] ^= (byte)(mask >> (8 * (i & 3)));
    }
}

/// <summary>What a connection does with its client's messages (see <see cref="ClientFrameReader.ReceiveAllAsync"/>).</summary>
public interface IClientMessageHandler
{
    /// <summary>Handles one message or control frame; false when reading must stop. The message's buffer is released after.</summary>
    ValueTask<bool> HandleAsync(ClientMessage message);

    /// <summary>Reading has stopped, for whichever reason.</summary>
    ValueTask OnEndedAsync();
}

public enum ClientMessageKind
{
    Text,
    Binary,
    Ping,
    Pong,
    Close,
    /// <summary>The message is larger than allowed; it was not read.</summary>
    TooBig,
    /// <summary>A frame broke RFC 6455 (unmasked, reserved bits, bad fragmentation): close 1002.</summary>
    ProtocolError,
    /// <summary>A text message that is not UTF-8: close 1007.</summary>
    InvalidText,
    /// <summary>The client closed the TCP connection.</summary>
    End,
}

public readonly record struct ClientMessage(ClientMessageKind Kind, byte[]? Buffer = null, int Length = 0)
{
    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(0, Length);

    public void Release()
    {
        if (Buffer is not null)
            ArrayPool<byte>.Shared.Return(Buffer);
    }
}
