using System.Net.Sockets;
using System.Net.WebSockets;
using SkubberPush.Channels;

namespace SkubberPush.Sockets;

/// <summary>
/// The bytes waiting to go to one WebSocket client (Pusher, or the hub on the socket path), in order. Publishers queue whole frames and
/// return; the connection's <see cref="OutboxScheduler"/> shard then writes everything queued in
/// one write. On a plain HTTP/1.1 socket the shard writes to the socket itself without blocking; a
/// write the kernel cannot take whole continues asynchronously, and the next waits for it. Over
/// TLS or HTTP/2 every write goes to the connection's stream asynchronously.
/// </summary>
public sealed class FrameOutbox : IScheduledOutbox
{
    private static readonly Func<byte[], int> FrameLength = static frame => frame.Length;

    private readonly Socket? _socket;
    private readonly Stream? _stream;
    private readonly OutboxQueue<byte[]> _frames;

    /// <summary>Writes to <paramref name="socket"/> directly when given (it is made non-blocking), else to <paramref name="stream"/>.</summary>
    public FrameOutbox(OutboxScheduler scheduler, int capacity, Socket? socket, Stream? stream)
    {
        if (socket is null && stream is null)
            throw new ArgumentException("An outbox needs a socket or a stream to write to");
        _socket = socket;
        _stream = socket is null ? stream : null;
        if (socket is not null)
            socket.Blocking = false; // the shard's writes must never wait for a slow reader
        _frames = new OutboxQueue<byte[]>(this, scheduler, capacity);
        Shard = scheduler.NextShard();
    }

    public int Shard { get; }

    /// <summary>Queues a frame; <see cref="OutboxResult.Full"/> when the client is <c>capacity</c> frames behind.</summary>
    public OutboxResult Enqueue(byte[] frame) => _frames.Add(frame);

    /// <summary>Queues the close frame: frames queued later are dropped, as RFC 6455 allows nothing after it.</summary>
    public void EnqueueFinal(byte[] closeFrame) => _frames.Add(closeFrame, bounded: false, final: true);

    /// <summary>Drops everything queued and writes nothing more; true the first time.</summary>
    public bool Abort() => _frames.Abort(out _);

    /// <summary>Completes when everything queued has been handed to the kernel, or the outbox is aborted.</summary>
    public Task WhenDrained() => _frames.WhenDrained();

    /// <summary>
    /// The connection is over: what is still queued (the close frame, at least) gets
    /// <see cref="CloseDeadline.Timeout"/> to leave, then the rest is dropped and nothing more is written.
    /// </summary>
    public async Task FinishAsync(TimeProvider time)
    {
        try
        {
            await WhenDrained().WaitAsync(CloseDeadline.Timeout, time);
        }
        catch (TimeoutException)
        {
        }
        Abort();
    }

    /// <summary>
    /// Answers a client's control frame, or a frame that broke the rules, as RFC 6455 asks of any
    /// server: a ping gets its pong; a close is answered with a close, a protocol violation closed
    /// with 1002, text that is not UTF-8 with 1007. False when the connection is ending and reading
    /// must stop. Messages and oversized frames are the protocol's own business.
    /// </summary>
    public bool Answer(ClientMessage control)
    {
        switch (control.Kind)
        {
            case ClientMessageKind.Ping:
                Enqueue(WebSocketFrames.Pong(control.Payload.Span));
                return true;
            case ClientMessageKind.Pong:
                return true;
            case ClientMessageKind.Close:
                // If we closed first, ours is already queued and this is dropped.
                EnqueueFinal(WebSocketFrames.NormalClose);
                return false;
            case ClientMessageKind.ProtocolError:
                EnqueueFinal(WebSocketFrames.Close((int)WebSocketCloseStatus.ProtocolError, "WebSocket protocol error"));
                return false;
            case ClientMessageKind.InvalidText:
                EnqueueFinal(WebSocketFrames.Close((int)WebSocketCloseStatus.InvalidPayloadData, "Text frames must be UTF-8"));
                return false;
            case ClientMessageKind.End:
                return false;
            default:
                throw new ArgumentException($"{control.Kind} is not a control frame", nameof(control));
        }
    }

    /// <summary>Called by the shard: writes what is queued, up to one scratch buffer, in one write.</summary>
    public void WriteQueued(WriteBuffers buffers)
    {
        var scratch = buffers.Scratch;
        var taken = buffers.Frames.AsSpan(0, _frames.Take(buffers.Frames, FrameLength, scratch.Length));
        if (taken.IsEmpty)
        {
            _frames.Written(); // aborted meanwhile
            return;
        }
        // A frame bigger than the scratch buffer comes alone and is written from its own array.
        var large = taken[0].Length > scratch.Length ? taken[0] : null;
        ReadOnlyMemory<byte> bytes;
        if (large is not null)
            bytes = large;
        else
        {
            var length = 0;
            foreach (var frame in taken)
            {
                frame.CopyTo(scratch, length);
                length += frame.Length;
            }
            bytes = scratch.AsMemory(0, length);
        }
        taken.Clear();

        if (_socket is null)
        {
            ContinueAsync(large ?? bytes.ToArray());
            return;
        }
        int sent;
        SocketError error;
        try
        {
            sent = _socket.Send(bytes.Span, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException)
        {
            Abort();
            return;
        }
        if (error == SocketError.Success && sent == bytes.Length)
            _frames.Written();
        else if (error is SocketError.Success or SocketError.WouldBlock)
            ContinueAsync(large is not null ? bytes[sent..] : bytes[sent..].ToArray()); // the kernel's buffer is full: wait for room
        else
            Abort(); // the peer is gone; the receive side sees it too and ends the connection
    }

    private void ContinueAsync(ReadOnlyMemory<byte> rest)
    {
        _frames.WriteGoesAsync();
        _ = WriteAsync(rest);
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (_socket is not null)
                await _socket.SendAsync(bytes, SocketFlags.None); // completes when every byte is sent
            else
            {
                await _stream!.WriteAsync(bytes);
                await _stream.FlushAsync();
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Abort();
            return;
        }
        _frames.Written();
    }
}
