using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Endpoints;
using SkubberPush.Hosting;
using SkubberPush.Hubs;
using SkubberPush.Limits;
using SkubberPush.Observability;
using SkubberPush.Pusher;
using SkubberPush.Sockets;
using SkubberPush.Webhooks;

// `apps ...`, `--help` and `--version` run without starting the server.
if (CommandLine.TryRun(args) is { } exitCode)
    return exitCode;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddSkubberHosting(args);
builder.Services.AddApps();
builder.Services.AddChannelCore();
builder.Services.AddPushHub();
builder.Services.AddPusherProtocol(builder.Configuration);
builder.Services.AddSocketTakeover();
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddLimits();
builder.Services.AddPushOpenApi();
builder.Services.AddPushObservability();
builder.Services.AddConnectionDrainer(builder.Configuration);

var app = builder.Build();
app.Services.LoadApps();
DehydratedDataRelease.ReleaseWhenStarted(app);

// Pusher has its own ping; WebSocket-level keep-alives would only add a timer per socket.
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
app.UseCorsMiddleware();
app.UseMiddleware<RequestObservability>();
app.MapPushOpenApi();
app.MapOpsEndpoints(builder.Configuration.GetValue<int?>("Skubber:OpsPort"));
app.MapRestApi();
app.MapTokenEndpoints();
app.MapPushHub();
app.MapPusherProtocol();

await app.RunAsync();
return 0;
