using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Endpoints;
using SkubberPush.Hosting;
using SkubberPush.Hubs;

// `apps ...`, `--help` and `--version` run without starting the server.
if (CommandLine.TryRun(args) is { } exitCode)
    return exitCode;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddSkubberHosting(args);
builder.Services.AddApps();
builder.Services.AddChannelCore();
builder.Services.AddPushHub();
builder.Services.AddPushOpenApi();

var app = builder.Build();
app.Services.LoadApps();

app.UseCors();
app.MapPushOpenApi();
app.MapOpsEndpoints();
app.MapRestApi();
app.MapTokenEndpoints();
app.MapPushHub();

await app.RunAsync();
return 0;
