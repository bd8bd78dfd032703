using Spectre.Console;

namespace Tpd.Cli.Rendering;

/// <summary>
/// Spectre consoles over a TextWriter. Colours only on a real terminal; a fixed width elsewhere so redirected
/// output and golden files do not depend on the terminal.
/// </summary>
internal static class Consoles
{
    public const int FileWidth = 110;

    public static IAnsiConsole For(TextWriter writer)
    {
        var isTerminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!isTerminal)
            console.Profile.Width = FileWidth;
        return console;
    }
}
