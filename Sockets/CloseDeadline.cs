namespace SkubberPush.Sockets;

/// <summary>
/// Stops a connection's receive loop once a close it sent has gone unanswered for
/// <see cref="Timeout"/>. A timer rather than a cancellation source per connection: only closing
/// connections pay for one. Held as a field of the connection (a mutable struct: call it on the field).
/// </summary>
public struct CloseDeadline
{
    /// <summary>How long the client has to answer our close, and our last frames to leave.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // Set in place of the timer once the receive loop has ended.
    private static readonly ITimer Ended = TimeProvider.System.CreateTimer(static _ => { }, null, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);

    private ITimer? _timer;

    /// <summary>Calls <paramref name="stopReading"/> after the timeout, unless armed before or the loop has ended.</summary>
    public void Arm(TimeProvider time, TimerCallback stopReading, object state)
    {
        if (Volatile.Read(ref _timer) is not null)
            return;
        var timer = time.CreateTimer(stopReading, state, Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _timer, timer, null) is not null)
            timer.Dispose();
    }

    /// <summary>The receive loop has ended: no timer is needed any more, nor created later.</summary>
    public void Disarm()
    {
        var timer = Interlocked.Exchange(ref _timer, Ended);
        if (timer != Ended)
            timer?.Dispose();
    }
}
