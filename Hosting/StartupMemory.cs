namespace SkubberPush.Hosting;

/// <summary>
/// Hands back, once the server has started, the memory that only start-up needed: the garbage of
/// building the host (configuration, DI, endpoints, options), and Native AOT's compressed type data
/// (<see cref="DehydratedDataRelease"/>). An idle server is most of a push server's life.
/// </summary>
public static partial class StartupMemory
{
    /// <summary>Shortly after start-up: the collection pauses every thread, so not while the first requests are answered.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(200);

    public static void ReleaseWhenStarted(WebApplication app) => app.Lifetime.ApplicationStarted.Register(() =>
    {
        var timeProvider = app.Services.GetRequiredService<TimeProvider>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupMemory));
        _ = Task.Delay(Delay, timeProvider).ContinueWith(_ => Release(logger), TaskScheduler.Default);
    });

    private static void Release(ILogger logger)
    {
        // One full, compacting collection; Aggressive also decommits the regions it frees.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (DehydratedDataRelease.Release() is var (start, length))
            Released(logger, length / 1024, start, start + length);
        else
            NothingReleased(logger);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Released {Kilobytes} KB of start-up type data at {Start:x}-{End:x}")]
    private static partial void Released(ILogger logger, nint kilobytes, nint start, nint end);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No start-up type data to release")]
    private static partial void NothingReleased(ILogger logger);
}
