namespace SkubberPush.Channels;

/// <summary>
/// The queue behind a connection's <see cref="IScheduledOutbox"/>, and the rule that keeps the
/// outbox on its <see cref="OutboxScheduler"/> shard at most once: an item added to an idle outbox
/// schedules it; the shard takes items and says when it is done — or that the write it started
/// goes on asynchronously, and then the write says so — and the outbox goes back in line if items
/// are left, else it is idle and whoever waits for the drain is released. Every transport's
/// outbox uses it, so this protocol exists once.
/// </summary>
public sealed class OutboxQueue<T>
{
    // Also the lock: a Lock object of its own would cost every idle connection 40 bytes.
    private readonly Queue<T> _items = new();
    private readonly IScheduledOutbox _owner;
    private readonly OutboxScheduler _scheduler;
    private readonly int _capacity;
    private bool _scheduled; // in its shard's queue, being written by the shard, or held
    private bool _writing;   // an asynchronous write the shard started is in flight
    private bool _final;     // the last item is queued: nothing may follow it
    private bool _closed;    // nothing more is added or taken
    private TaskCompletionSource? _drained;

    /// <param name="held">Nothing goes out until <see cref="Release"/>.</param>
    public OutboxQueue(IScheduledOutbox owner, OutboxScheduler scheduler, int capacity, bool held = false)
    {
        _owner = owner;
        _scheduler = scheduler;
        _capacity = capacity;
        _scheduled = held;
    }

    /// <summary>Queues an item; <see cref="OutboxResult.Full"/> when <c>capacity</c> items wait and it is bounded.</summary>
    /// <param name="final">Nothing added later is accepted (a close frame).</param>
    public OutboxResult Add(T item, bool bounded = true, bool final = false)
    {
        bool schedule;
        lock (_items)
        {
            if (_closed || _final)
                return OutboxResult.Closed;
            if (bounded && _items.Count >= _capacity)
                return OutboxResult.Full;
            _items.Enqueue(item);
            _final = final;
            schedule = !_scheduled && !_writing;
            _scheduled |= schedule;
        }
        if (schedule)
            _scheduler.Schedule(_owner);
        return OutboxResult.Queued;
    }

    /// <summary>Ends the hold of a queue created held: what waits goes out.</summary>
    public void Release()
    {
        bool schedule;
        lock (_items)
            _scheduled = schedule = !_closed && _items.Count > 0;
        if (schedule)
            _scheduler.Schedule(_owner);
    }

    /// <summary>
    /// Shard only: moves items into <paramref name="destination"/> while their <paramref name="weigh"/>t
    /// fits <paramref name="budget"/>; the first is taken whatever its weight. Returns how many.
    /// </summary>
    public int Take(Span<T> destination, Func<T, int> weigh, int budget)
    {
        var count = 0;
        lock (_items)
        {
            while (!_closed && count < destination.Length && _items.TryPeek(out var item))
            {
                var weight = weigh(item);
                if (count > 0 && weight > budget)
                    break;
                destination[count++] = _items.Dequeue();
                budget -= weight;
            }
        }
        return count;
    }

    /// <summary>Shard only: the next item, unless the queue is empty or closed.</summary>
    public bool TryTake(out T item)
    {
        lock (_items)
        {
            if (!_closed && _items.TryDequeue(out item!))
                return true;
        }
        item = default!;
        return false;
    }

    /// <summary>Shard only: the write it started goes on asynchronously; <see cref="Written"/> ends it.</summary>
    public void WriteGoesAsync()
    {
        lock (_items)
            (_writing, _scheduled) = (true, false);
    }

    /// <summary>The shard's turn, or the asynchronous write it started, is over: back in line if items are left.</summary>
    public void Written()
    {
        bool more;
        TaskCompletionSource? drained = null;
        lock (_items)
        {
            _writing = false;
            _scheduled = more = !_closed && _items.Count > 0;
            if (!more)
                (drained, _drained) = (_drained, null);
        }
        if (more)
            _scheduler.Schedule(_owner); // behind the other connections: one busy client cannot hog a shard
        else
            drained?.TrySetResult();
    }

    /// <summary>Nothing more is added or taken; what is queued stays for <see cref="Abort"/> to hand back.</summary>
    public void Close()
    {
        lock (_items)
            (_closed, _scheduled) = (true, false);
    }

    /// <summary>Closes and empties the queue; true if this call closed it (so the caller reports it once).</summary>
    public bool Abort(out T[] dropped)
    {
        bool wasOpen;
        TaskCompletionSource? drained;
        lock (_items)
        {
            wasOpen = !_closed;
            _closed = true;
            dropped = [.. _items];
            _items.Clear();
            (drained, _drained) = (_drained, null);
        }
        drained?.TrySetResult();
        return wasOpen;
    }

    /// <summary>Completes when everything queued has been written, or the queue is closed.</summary>
    public Task WhenDrained()
    {
        lock (_items)
        {
            if (_closed || (!_scheduled && !_writing))
                return Task.CompletedTask;
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}

public enum OutboxResult
{
    Queued,
    Full,
    Closed,
}
