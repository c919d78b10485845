using System.Diagnostics;
using Microsoft.AspNetCore.Routing;

namespace SkubberPush.Observability;

/// <summary>
/// One log line and one metric per named endpoint call. It replaces ASP.NET Core's own request
/// logging, which prints the query string, and with it tokens and signatures; this logs the path only.
/// </summary>
public sealed partial class RequestObservability(RequestDelegate next, PushMetrics metrics, ILogger<RequestObservability> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is { } endpoint)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.HttpCall(endpoint, http.Response.StatusCode, elapsed);
                LogRequest(http.Request.Method, http.Request.Path.Value ?? "", http.Response.StatusCode, elapsed.TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP {Method} {Path} answered {Status} in {ElapsedMs:0.0} ms")]
    private partial void LogRequest(string method, string path, int status, double elapsedMs);
}
