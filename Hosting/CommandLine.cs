using System.Reflection;
using SkubberPush.Apps;

namespace SkubberPush.Hosting;

/// <summary>The commands that run instead of the server: <c>--help</c>, <c>--version</c>, <c>apps ...</c>.</summary>
public static class CommandLine
{
    public const string Usage = """
        skubber-push: a self-hosted push server compatible with Pusher Channels and SignalR.

        Usage:
          skubber-push [serve] [--urls URLS] [--data-dir DIR]   run the server (default http://0.0.0.0:5187)
          skubber-push apps ...                                 manage apps (skubber-push apps --help)
          skubber-push --help | --version

        Configuration: appsettings.json beside the binary, environment variables (Skubber__DataDir,
        or the short SKUBBER_DATA_DIR, SKUBBER_APP_ID, SKUBBER_APP_KEY, SKUBBER_APP_SECRET) and
        command-line switches (--Skubber:DataDir=DIR), as in any ASP.NET Core app.
        """;

    /// <summary>Runs a command and returns its exit code, or null when the server should start.</summary>
    public static int? TryRun(string[] args)
    {
        if (args.Length == 0 || args[0] == "serve" || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "--version"))
            return null;
        switch (args[0])
        {
            case "--help" or "-h" or "help":
                Console.WriteLine(Usage);
                return 0;
            case "--version":
                Console.WriteLine($"skubber-push {Version}");
                return 0;
            case "apps":
                var dataDir = SkubberConfiguration.DataDirArgument(args)
                    ?? Environment.GetEnvironmentVariable("SKUBBER_DATA_DIR")
                    ?? Environment.GetEnvironmentVariable("Skubber__DataDir")
                    ?? new SkubberOptions().DataDir;
                return AppsCommand.Run(args[1..], dataDir, TimeProvider.System, Console.Out, Console.Error);
            default:
                Console.Error.WriteLine($"Unknown command '{args[0]}'.");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
