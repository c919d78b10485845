using System.Runtime.InteropServices;

namespace SkubberPush.Bench;

/// <summary>
/// Receives for many clients on one thread per core, each waiting in its own epoll set and reading
/// each ready socket once (level-triggered, so bytes left over are reported again). With an async
/// receive per socket, every arriving frame woke the runtime's epoll thread and then a thread-pool
/// thread: 15–17 µs of the generator's CPU per paced delivery against 11–12.5 this way. The
/// latency runs share the two cores with the generator, so that cost went into every server's
/// latency. The clients are set up with blocking calls (<see cref="RawWebSocket"/>): one async
/// call would have registered the socket with the runtime's epoll for good.
/// </summary>
public sealed class EpollReceivers : IDisposable
{
    private const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollIn = 0x1, EpollCloexec = 0x80000, BatchSize = 256;
    private readonly IReadOnlyList<BenchClient> _clients;
    private readonly int[] _descriptors;
    private readonly Thread[] _threads;
    private volatile bool _stopping;

    public EpollReceivers(IReadOnlyList<BenchClient> clients, int threads)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("epoll_event is laid out for linux-x64");
        _clients = clients;
        _descriptors = [.. clients.Select(c => c.ForPolling())];
        _threads = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var epoll = epoll_create1(EpollCloexec);
            if (epoll < 0)
                throw new IOException($"epoll_create1 failed: {Marshal.GetLastPInvokeError()}");
            for (var i = t; i < clients.Count; i += threads)
            {
                var watch = new EpollEvent { Events = EpollIn, Data = (ulong)i };
                if (epoll_ctl(epoll, EpollCtlAdd, _descriptors[i], ref watch) != 0)
                    throw new IOException($"epoll_ctl failed: {Marshal.GetLastPInvokeError()}");
            }
            _threads[t] = new Thread(() => Run(epoll)) { IsBackground = true, Name = $"epoll receiver {t}" };
            _threads[t].Start();
        }
    }

    private void Run(int epoll)
    {
        var ready = new EpollEvent[BatchSize];
        while (!_stopping)
        {
            var count = epoll_wait(epoll, ready, BatchSize, 100);
            for (var i = 0; i < count; i++)
            {
                var index = (int)ready[i].Data;
                if (!_clients[index].ReadReady())
                {
                    var none = default(EpollEvent);
                    epoll_ctl(epoll, EpollCtlDel, _descriptors[index], ref none);
                }
            }
        }
        close(epoll);
    }

    /// <summary>Stops the threads; dispose the clients after this.</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (var thread in _threads)
            thread.Join();
    }

    // x86-64 packs epoll_event: 4 bytes of events, then 8 of data.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epoll, int operation, int fd, ref EpollEvent watched);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_wait(int epoll, [Out] EpollEvent[] events, int maxEvents, int timeoutMs);

    [DllImport("libc")]
    private static extern int close(int fd);
}
