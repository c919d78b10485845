using Microsoft.AspNetCore.Cors.Infrastructure;

namespace SkubberPush.Hosting;

public static class CorsPipeline
{
    /// <summary>
    /// The platform's <see cref="CorsMiddleware"/>, constructed directly. <c>UseCors()</c> goes
    /// through <c>UseMiddleware</c>, which under Native AOT (no compiled expressions) calls the
    /// middleware's two-parameter <c>Invoke</c> by reflection on every request.
    /// </summary>
    public static IApplicationBuilder UseCorsMiddleware(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var policies = services.GetRequiredService<ICorsPolicyProvider>();
        var cors = services.GetRequiredService<ICorsService>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        return app.Use(next =>
        {
            var middleware = new CorsMiddleware(next, cors, loggers);
            return http => middleware.Invoke(http, policies);
        });
    }
}
