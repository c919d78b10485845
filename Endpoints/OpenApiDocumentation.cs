using Microsoft.OpenApi;

namespace SkubberPush.Endpoints;

/// <summary>
/// <c>/openapi/v1.json</c> from Microsoft.AspNetCore.OpenApi, with the three ways into the REST
/// API as security schemes, and the Swagger UI over it at <c>/swagger</c>.
/// </summary>
public static class OpenApiDocumentation
{
    public static IServiceCollection AddPushOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Skubber Push",
                Version = "v1",
                Description = "Pusher Channels HTTP API. Authenticate with X-Api-Key and X-Api-Secret headers, " +
                    "apiKey and apiSecret query parameters, or Pusher request signing (auth_key, auth_timestamp, " +
                    "auth_version, body_md5, auth_signature) as the official Pusher server libraries do.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["ApiKey"] = ApiKeyScheme("X-Api-Key", ParameterLocation.Header, "The app key."),
                ["ApiSecret"] = ApiKeyScheme("X-Api-Secret", ParameterLocation.Header, "The app secret."),
                ["PusherSignature"] = ApiKeyScheme("auth_signature", ParameterLocation.Query,
                    "Pusher request signing: HMAC-SHA256 over METHOD\\nPATH\\nsorted query, with auth_key, auth_timestamp, auth_version=1.0 and body_md5."),
            };
            document.Security =
            [
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference("ApiKey", document)] = [],
                    [new OpenApiSecuritySchemeReference("ApiSecret", document)] = [],
                },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("PusherSignature", document)] = [] },
            ];
            return Task.CompletedTask;
        }));

    public static WebApplication MapPushOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/openapi/v1.json", "Skubber Push v1");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "Skubber Push API";
        });
        return app;
    }

    /// <summary>
    /// Documents a JSON request body without <c>Accepts</c> metadata: that would make routing turn
    /// away bodies sent without <c>Content-Type: application/json</c>, which Pusher accepts.
    /// </summary>
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    private static OpenApiSecurityScheme ApiKeyScheme(string name, ParameterLocation location, string description) =>
        new() { Type = SecuritySchemeType.ApiKey, Name = name, In = location, Description = description };
}
