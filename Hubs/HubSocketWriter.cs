using System.Buffers;
using System.IO.Pipelines;

namespace SkubberPush.Hubs;

/// <summary>
/// The hub's output on a <see cref="HubSocket"/>: SignalR writes its handshake answer, invocation
/// results, pings and close messages here and flushes; each flush leaves as one frame through the
/// connection's outbox. Events do not pass here (their frames are built once per event, see
/// <see cref="HubFrameEncoder"/>). SignalR serializes its writes, so no lock is needed; the buffer
/// is rented for a message and returned at its flush, so an idle connection holds none.
/// </summary>
public sealed class HubSocketWriter(HubSocket socket) : PipeWriter
{
    private const int MinimumBuffer = 256;
    private byte[]? _buffer;
    private int _length;
    private bool _completed;

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (_buffer is null || _buffer.Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer is null ? MinimumBuffer : 2 * _buffer.Length));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = larger;
        }
        return _buffer.AsMemory(_length);
    }

    public override void Advance(int bytes) => _length += bytes;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_buffer is not null)
        {
            if (_length > 0 && !_completed)
                socket.Send(_buffer.AsSpan(0, _length));
            Release();
        }
        return new(new FlushResult(isCanceled: false, isCompleted: _completed));
    }

    // Flushes never wait: the outbox bounds what a connection may have queued.
    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        Release();
    }

    private void Release()
    {
        if (_buffer is not null)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _length = 0;
    }
}
