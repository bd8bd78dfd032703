using System.Globalization;
using System.Net;

namespace Tpd.Telemetry.Host;

/// <summary>A TCP socket in LISTEN state: the address it is bound to and its port.</summary>
public sealed record ListeningSocket(IPAddress Address, int Port)
{
    /// <summary>Bound to 0.0.0.0 or :: (every interface, reachable from the network unless a firewall says otherwise).</summary>
    public bool IsAllInterfaces => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    public override string ToString() => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>
/// Parses /proc/net/tcp and /proc/net/tcp6 (proc(5)): local_address is hex "ADDR:PORT" with the address
/// in the kernel's byte order (little-endian 32-bit words on x86 and arm64), the port big-endian; state 0A is LISTEN.
/// </summary>
public static class ProcNetTcpParser
{
    private const string ListenState = "0A";

    public static IReadOnlyList<ListeningSocket> ParseListening(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<ListeningSocket>();
        foreach (var line in text.Split('\n').Skip(1))
        {
            var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cols.Length < 4 || cols[3] != ListenState)
                continue;
            var local = cols[1].Split(':');
            if (local.Length != 2 || !int.TryParse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
                continue;
            if (ParseAddress(local[0]) is { } address)
                result.Add(new ListeningSocket(address, port));
        }

        return result;
    }

    /// <summary>8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in little-endian order.</summary>
    internal static IPAddress? ParseAddress(string hex)
    {
        if (hex.Length is not (8 or 32) || !hex.All(char.IsAsciiHexDigit))
            return null;
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                // Byte b of the word sits at hex position (word*4 + 3 - b)*2 when the word is little-endian.
                var pos = ((word * 4) + (3 - b)) * 2;
                bytes[(word * 4) + b] = byte.Parse(hex.AsSpan(pos, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return new IPAddress(bytes);
    }
}
