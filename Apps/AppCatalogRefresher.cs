using System.Globalization;
using Microsoft.Extensions.Options;
using SkubberPush.Hosting;

namespace SkubberPush.Apps;

/// <summary>
/// Picks up changes other processes (the CLI) make to the key file. SQLite's
/// <c>PRAGMA data_version</c> changes on a connection whenever another connection commits, so one
/// cheap query per interval tells whether to reload; no restart and no file watcher.
/// </summary>
internal sealed partial class AppCatalogRefresher(
    AppCatalog catalog, IOptions<SkubberOptions> options, TimeProvider time, ILogger<AppCatalogRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var connection = catalog.Store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        var seen = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.AppRefreshMilliseconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var version = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (version == seen)
                    continue;
                seen = version;
                catalog.Reload();
                LogReloaded(catalog.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A locked or briefly unreadable file must not stop refreshing; the old snapshot stays.
                LogRefreshFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "App store changed on disk; {Count} apps loaded")]
    private partial void LogReloaded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh apps from the key file")]
    private partial void LogRefreshFailed(Exception exception);
}
