using System.Text;

namespace Tpd.Telemetry;

/// <summary>Reads text up to a limit: one character past it at most, so the reader can report an oversized (or endless) input without holding it.</summary>
internal static class BoundedText
{
    public static async Task<string> ReadAsync(TextReader reader, int maxChars, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new char[64 * 1024];
        int read;
        while (text.Length <= maxChars && (read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
            text.Append(buffer, 0, Math.Min(read, maxChars + 1 - text.Length));
        return text.ToString();
    }
}
