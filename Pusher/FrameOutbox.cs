using System.Net.Sockets;
using SkubberPush.Channels;

namespace SkubberPush.Pusher;

/// <summary>
/// The bytes waiting to go to one Pusher client, in order. Publishers queue whole frames and
/// return; the connection's <see cref="OutboxScheduler"/> shard then writes everything queued in
/// one write. On a plain HTTP/1.1 socket the shard writes to the socket itself without blocking; a
/// write the kernel cannot take whole continues asynchronously, and the next waits for it. Over
/// TLS or HTTP/2 every write goes to the connection's stream asynchronously.
/// </summary>
public sealed class FrameOutbox : IScheduledOutbox
{
    private readonly Lock _gate = new();
    private readonly Socket? _socket;
    private readonly Stream? _stream;
    private readonly OutboxScheduler _scheduler;
    private readonly int _capacity;
    private readonly Queue<byte[]> _frames = new();
    private bool _scheduled; // in its shard's queue, or being written by the shard
    private bool _writing;   // an asynchronous write is in flight
    private bool _final;     // the close frame is queued: nothing may follow it
    private bool _closed;    // aborted or failed: nothing more is written
    private TaskCompletionSource? _drained;

    /// <summary>Writes to <paramref name="socket"/> directly when given (it is made non-blocking), else to <paramref name="stream"/>.</summary>
    public FrameOutbox(OutboxScheduler scheduler, int capacity, Socket? socket, Stream? stream)
    {
        if (socket is null && stream is null)
            throw new ArgumentException("An outbox needs a socket or a stream to write to");
        _scheduler = scheduler;
        _capacity = capacity;
        _socket = socket;
        _stream = socket is null ? stream : null;
        if (socket is not null)
            socket.Blocking = false; // the shard's writes must never wait for a slow reader
        Shard = scheduler.NextShard();
    }

    public int Shard { get; }

    /// <summary>Queues a frame; <see cref="OutboxResult.Full"/> when the client is <c>capacity</c> frames behind.</summary>
    public OutboxResult Enqueue(byte[] frame) => Add(frame, final: false);

    /// <summary>Queues the close frame: frames queued later are dropped, as RFC 6455 allows nothing after it.</summary>
    public void EnqueueFinal(byte[] closeFrame) => Add(closeFrame, final: true);

    /// <summary>Drops everything queued and writes nothing more (the connection is being torn down).</summary>
    public void Abort()
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            _closed = true;
            _frames.Clear();
            (drained, _drained) = (_drained, null);
        }
        drained?.TrySetResult();
    }

    /// <summary>Completes when everything queued has been handed to the kernel, or the outbox is aborted.</summary>
    public Task WhenDrained()
    {
        lock (_gate)
        {
            if (_closed || (!_scheduled && !_writing))
                return Task.CompletedTask;
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    private OutboxResult Add(byte[] frame, bool final)
    {
        bool schedule;
        lock (_gate)
        {
            if (_closed || _final)
                return OutboxResult.Closed;
            if (!final && _frames.Count >= _capacity)
                return OutboxResult.Full;
            _frames.Enqueue(frame);
            _final = final;
            schedule = !_scheduled && !_writing;
            _scheduled |= schedule;
        }
        if (schedule)
            _scheduler.Schedule(this);
        return OutboxResult.Queued;
    }

    /// <summary>Called by the shard: writes what is queued, up to one scratch buffer, in one write.</summary>
    public void WriteQueued(WriteBuffers buffers)
    {
        var scratch = buffers.Scratch;
        var taken = buffers.Frames;
        int count = 0, length = 0;
        byte[]? large = null;
        lock (_gate)
        {
            if (_closed)
            {
                _scheduled = false;
                return;
            }
            while (count < taken.Length && _frames.TryPeek(out var frame))
            {
                if (length + frame.Length > scratch.Length)
                {
                    if (length == 0)
                        large = _frames.Dequeue(); // bigger than the scratch buffer: written from its own array
                    break;
                }
                taken[count++] = _frames.Dequeue();
                length += frame.Length;
            }
        }
        ReadOnlyMemory<byte> bytes;
        if (large is not null)
            bytes = large;
        else
        {
            var offset = 0;
            foreach (var frame in taken.AsSpan(0, count))
            {
                frame.CopyTo(scratch, offset);
                offset += frame.Length;
            }
            taken.AsSpan(0, count).Clear();
            bytes = scratch.AsMemory(0, length);
        }

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
            Fail();
            return;
        }
        if (error == SocketError.Success && sent == bytes.Length)
            Written();
        else if (error is SocketError.Success or SocketError.WouldBlock)
            ContinueAsync(large is not null ? bytes[sent..] : bytes[sent..].ToArray()); // the kernel's buffer is full: wait for room
        else
            Fail();
    }

    private void ContinueAsync(ReadOnlyMemory<byte> rest)
    {
        lock (_gate)
        {
            _writing = true;
            _scheduled = false;
        }
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
            Fail();
            return;
        }
        Written();
    }

    private void Written()
    {
        bool more;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            _writing = false;
            more = !_closed && _frames.Count > 0;
            _scheduled = more;
            if (!more)
                (drained, _drained) = (_drained, null);
        }
        if (more)
            _scheduler.Schedule(this); // behind the other connections: one busy client cannot hog a shard
        else
            drained?.TrySetResult();
    }

    // The peer is gone; the receive side sees it too and ends the connection.
    private void Fail()
    {
        lock (_gate)
            _writing = false;
        Abort();
    }
}

public enum OutboxResult
{
    Queued,
    Full,
    Closed,
}
