using System.Buffers;

namespace SkubberPush.Pusher;

/// <summary>
/// Sits between a WebSocket and the upgraded connection. While the send loop is inside a batch
/// (<see cref="BeginBatch"/> … <see cref="FlushBufferAsync"/>) the WebSocket's writes are held and
/// leave in one write, so frames that pile up for a socket cost one syscall instead of one each —
/// the kernel's loopback and TCP paths cost per write, not per byte. Outside a batch (the close
/// handshake, the pong the WebSocket answers a ping with from its receive side) writes go straight
/// through. The buffer is rented only while frames are pending; an idle connection holds none.
/// </summary>
public sealed class CoalescingStream(Stream inner) : Stream
{
    private const int FlushThreshold = 32 * 1024;
    private readonly Lock _bufferGate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1); // one write at a time on the connection
    private byte[]? _buffer;
    private int _length;
    private bool _batching;

    public void BeginBatch()
    {
        lock (_bufferGate)
            _batching = true;
    }

    /// <summary>Ends the batch and writes everything held in one write.</summary>
    public async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        byte[]? buffer;
        int length;
        lock (_bufferGate)
        {
            _batching = false;
            (buffer, length) = (_buffer, _length);
            (_buffer, _length) = (null, 0);
        }
        if (buffer is null)
            return;
        try
        {
            await WriteThroughAsync(buffer.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        lock (_bufferGate)
        {
            if (_batching && _length + data.Length <= FlushThreshold)
            {
                Append(data.Span);
                return ValueTask.CompletedTask;
            }
        }
        return _batching ? FlushAndContinueAsync(data, cancellationToken) : WriteThroughAsync(data, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // writes through, or at batch end

    // A batch past the threshold: send what is held, keep batching with this frame.
    private async ValueTask FlushAndContinueAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken);
        lock (_bufferGate)
        {
            _batching = true;
            Append(data.Span);
        }
    }

    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await inner.WriteAsync(data, cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer is null || _length + data.Length > _buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(2 * (_length + data.Length), 4096));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = grown;
        }
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override void Flush() { }
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_bufferGate)
            {
                if (_buffer is not null)
                    ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
