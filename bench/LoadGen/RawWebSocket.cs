using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SkubberPush.Bench;

/// <summary>
/// The client end of a WebSocket over a plain socket, with as little between the kernel and the
/// message as possible: one <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>
/// into one buffer, frames parsed in place. Thousands of receivers share the machine's cores with
/// the server: with <c>ManagedWebSocket</c> over a <c>NetworkStream</c> they received a burst's last
/// frame 0.63–0.87 s after its last publish, this way 0.01–0.13 s after it.
/// </summary>
/// <param name="blocking">
/// Blocking calls throughout, for sockets later read by <see cref="EpollReceivers"/>: one async
/// call would register the socket with the runtime's own epoll, which then wakes a thread-pool
/// thread for every frame that arrives even though nothing there reads it.
/// </param>
public sealed class RawWebSocket(Socket socket, bool blocking) : IDisposable
{
    private const byte Continuation = 0x0, Close = 0x8, Ping = 0x9, Pong = 0xA;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;           // unparsed bytes in _buffer
    private byte[]? _fragments;         // a message split over frames, rarely
    private int _fragmentLength;

    public const byte Text = 0x1, Binary = 0x2;

    /// <summary>Opens the WebSocket: the upgrade request, then the 101 response (bytes after it are frames).</summary>
    public static async Task<RawWebSocket> UpgradeAsync(Socket socket, string host, string path, bool blocking = false)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var ws = new RawWebSocket(socket, blocking);
        await ws.SendRawAsync(Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        int headEnd;
        while ((headEnd = ws._buffer.AsSpan(0, ws._end).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await ws.FillAsync())
                throw new IOException("closed during the upgrade");
        }
        var head = Encoding.ASCII.GetString(ws._buffer, 0, headEnd);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            throw new IOException($"upgrade refused: {head.Split('\r')[0]}");
        ws._start = headEnd + 4;
        return ws;
    }

    /// <summary>Sends one message in one masked frame, as a client must.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> payload, byte opcode)
    {
        var frame = new byte[14 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        var at = 2;
        if (payload.Length < 126)
            frame[1] = (byte)(0x80 | payload.Length);
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
            at = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
            at = 10;
        }
        var mask = at;
        RandomNumberGenerator.Fill(frame.AsSpan(mask, 4));
        at += 4;
        var body = frame.AsSpan(at, payload.Length);
        payload.Span.CopyTo(body);
        for (var i = 0; i < body.Length; i++)
            body[i] ^= frame[mask + (i & 3)];
        await SendRawAsync(frame.AsMemory(0, at + payload.Length));
    }

    private async ValueTask SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        if (blocking)
            socket.Send(bytes.Span);
        else
            await socket.SendAsync(bytes, SocketFlags.None);
    }

    /// <summary>
    /// The next text or binary message, valid until the next call; empty when the server closed.
    /// Pings are answered; pongs are skipped.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync()
    {
        while (true)
        {
            if (TryTakeBuffered(out var message, out var closed))
                return message;
            if (closed || !await FillAsync())
                return ReadOnlyMemory<byte>.Empty;
        }
    }

    /// <summary>Switches the socket to non-blocking receives; returns the descriptor for epoll to watch.</summary>
    public int ForPolling()
    {
        socket.Blocking = false;
        return (int)socket.Handle;
    }

    /// <summary>
    /// One non-blocking receive into the buffer, for receivers driven by epoll
    /// (<see cref="EpollReceivers"/>); take the messages with <see cref="TryTakeBuffered"/>.
    /// </summary>
    public SocketError ReceiveAvailable()
    {
        MakeRoom();
        var read = socket.Receive(_buffer.AsSpan(_end), SocketFlags.None, out var error);
        if (error == SocketError.Success && read == 0)
            return SocketError.Shutdown;
        _end += read;
        return error;
    }

    /// <summary>
    /// The next text or binary message already in the buffer, valid until the next receive;
    /// false when the buffer holds no whole one, or <paramref name="closed"/> when the server closed.
    /// Pings are answered; pongs are skipped.
    /// </summary>
    public bool TryTakeBuffered(out ReadOnlyMemory<byte> message, out bool closed)
    {
        (message, closed) = (default, false);
        while (TryParse(out var fin, out var opcode, out var payload))
        {
            switch (opcode)
            {
                case Close:
                    closed = true;
                    return false;
                case Ping:
                    _ = SendAsync(payload.ToArray(), Pong);
                    continue;
                case Text or Binary or Continuation when fin && _fragments is null:
                    message = payload;
                    return true;
                case Text or Binary or Continuation:
                    var whole = Append(payload.Span);
                    if (!fin)
                        continue;
                    _fragments = null;
                    message = whole;
                    return true;
            }
        }
        return false;
    }

    public void Dispose() => socket.Dispose();

    /// <summary>One whole server frame (never masked) from the buffer, if it holds one.</summary>
    private bool TryParse(out bool fin, out byte opcode, out ReadOnlyMemory<byte> payload)
    {
        (fin, opcode, payload) = (false, 0, default);
        var available = _end - _start;
        if (available < 2)
            return false;
        var span = _buffer.AsSpan(_start, available);
        long length = span[1] & 0x7f;
        var header = 2;
        if (length == 126)
        {
            if (available < 4)
                return false;
            (length, header) = (BinaryPrimitives.ReadUInt16BigEndian(span[2..]), 4);
        }
        else if (length == 127)
        {
            if (available < 10)
                return false;
            (length, header) = ((long)BinaryPrimitives.ReadUInt64BigEndian(span[2..]), 10);
        }
        if (available < header + length)
        {
            EnsureRoom(header + (int)length);
            return false;
        }
        (fin, opcode) = ((span[0] & 0x80) != 0, (byte)(span[0] & 0x0f));
        payload = _buffer.AsMemory(_start + header, (int)length);
        _start += header + (int)length;
        return true;
    }

    /// <summary>Receives more bytes after the unparsed ones; false when the peer has gone.</summary>
    private async ValueTask<bool> FillAsync()
    {
        MakeRoom();
        try
        {
            var read = blocking ? socket.Receive(_buffer.AsSpan(_end)) : await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
            _end += read;
            return read > 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Moves the unparsed bytes to the front when the buffer is full up to its end.</summary>
    private void MakeRoom()
    {
        if (_start == _end)
            _start = _end = 0;
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            (_end, _start) = (_end - _start, 0);
        }
    }

    /// <summary>Makes the buffer big enough for a frame of <paramref name="size"/> bytes from <c>_start</c>.</summary>
    private void EnsureRoom(int size)
    {
        if (size <= _buffer.Length - _start)
            return;
        var bigger = size > _buffer.Length ? new byte[Math.Max(size, _buffer.Length * 2)] : _buffer;
        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        (_buffer, _end, _start) = (bigger, _end - _start, 0);
    }

    private ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> part)
    {
        if (_fragments is null)
            (_fragments, _fragmentLength) = (new byte[Math.Max(part.Length, 4096)], 0);
        if (_fragmentLength + part.Length > _fragments.Length)
            Array.Resize(ref _fragments, Math.Max(_fragmentLength + part.Length, _fragments.Length * 2));
        part.CopyTo(_fragments.AsSpan(_fragmentLength));
        _fragmentLength += part.Length;
        return _fragments.AsMemory(0, _fragmentLength);
    }
}
