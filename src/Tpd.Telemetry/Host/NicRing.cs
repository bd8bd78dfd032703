using System.Globalization;

namespace Tpd.Telemetry.Host;

/// <summary>Receive and transmit ring sizes of one NIC, as `ethtool -g` prints them: pre-set maximums and current settings.</summary>
public sealed record NicRing(string Interface, int? RxMax, int? TxMax, int? Rx, int? Tx)
{
    /// <summary>The seed's setting for distributed inference: `ethtool -G eth0 rx 4096 tx 4096`.</summary>
    public const int Recommended = 4096;

    /// <summary>The ring size worth setting: the recommended size, or the NIC's maximum when that is smaller.</summary>
    public static int Target(int? max) => max is { } m ? Math.Min(m, Recommended) : Recommended;

    /// <summary>True when a ring is below what it could be raised to (below both the recommendation and the NIC's maximum).</summary>
    public bool CanGrow => (Rx is { } rx && rx < Target(RxMax)) || (Tx is { } tx && tx < Target(TxMax));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Interface}: rx {Show(Rx)}/{Show(RxMax)} max, tx {Show(Tx)}/{Show(TxMax)} max");

    private static string Show(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "n/a";
}

/// <summary>Reads `ethtool -g IFACE` output (ethtool 4.x to 6.x): the "Pre-set maximums" block, then "Current hardware settings".</summary>
public static class EthtoolRingParser
{
    /// <summary>Null when the text has neither block (ethtool said "Operation not supported", or it is not ethtool output).</summary>
    public static NicRing? Parse(string iface, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int? rxMax = null, txMax = null, rx = null, tx = null;
        var block = 0; // 1 maximums, 2 current
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Pre-set maximums", StringComparison.OrdinalIgnoreCase))
            {
                block = 1;
                continue;
            }

            if (line.StartsWith("Current hardware settings", StringComparison.OrdinalIgnoreCase))
            {
                block = 2;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (block == 0 || colon < 0)
                continue;
            var key = line[..colon].Trim();
            var value = int.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
            if (key == "RX")
                (block == 1 ? ref rxMax : ref rx) = value;
            else if (key == "TX")
                (block == 1 ? ref txMax : ref tx) = value;
        }

        return block == 0 ? null : new NicRing(iface, rxMax, txMax, rx, tx);
    }
}
