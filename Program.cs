using SkubberPush.Apps;
using SkubberPush.Channels;
using SkubberPush.Endpoints;
using SkubberPush.Hosting;

// `apps ...`, `--help` and `--version` run without starting the server.
if (CommandLine.TryRun(args) is { } exitCode)
    return exitCode;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddSkubberHosting(args);
builder.Services.AddApps();
builder.Services.AddChannelCore();
builder.Services.AddPushOpenApi();

var app = builder.Build();
app.Services.LoadApps();

app.MapPushOpenApi();
app.MapOpsEndpoints();
app.MapRestApi();

await app.RunAsync();
return 0;
