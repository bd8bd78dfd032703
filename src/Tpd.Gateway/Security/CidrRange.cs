using System.Net;
using System.Net.Sockets;

namespace Tpd.Gateway.Security;

/// <summary>An IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8. IPv4-mapped IPv6 clients match IPv4 ranges.</summary>
public sealed class CidrRange
{
    private readonly byte[] _network;

    private CidrRange(byte[] network, int prefixLength, AddressFamily family, string text)
    {
        _network = network;
        PrefixLength = prefixLength;
        Family = family;
        Text = text;
    }

    public int PrefixLength { get; }
    public AddressFamily Family { get; }
    public string Text { get; }

    /// <summary>
    /// Parses "a.b.c.d/n", "x::y/n" or a single address (a /32 or /128); null when malformed. IPv4 must be four
    /// dotted decimals: IPAddress also reads "0", "10.1" and "0x7f.1" (inet_aton's forms), which in an
    /// allowlist are far more likely a mistake than a network.
    /// </summary>
    public static CidrRange? TryParse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
            return null;
        if (address.AddressFamily == AddressFamily.InterNetwork && !IsDottedQuad(addressText))
            return null;
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out prefix) || prefix > bits))
            return null;
        var bytes = address.GetAddressBytes();
        Mask(bytes, prefix);
        return new CidrRange(bytes, prefix, address.AddressFamily, text);
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6 && Family == AddressFamily.InterNetwork)
            address = address.MapToIPv4();
        if (address.AddressFamily != Family)
            return false;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var n);
        bytes = bytes[..n];
        var full = PrefixLength / 8;
        if (!bytes[..full].SequenceEqual(_network.AsSpan(0, full)))
            return false;
        var rest = PrefixLength % 8;
        if (rest == 0)
            return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == _network[full];
    }

    public static bool AnyContains(IReadOnlyList<CidrRange> ranges, IPAddress? address)
    {
        if (address is null)
            return false;
        for (var i = 0; i < ranges.Count; i++)
        {
            if (ranges[i].Contains(address))
                return true;
        }
        return false;
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private static void Mask(byte[] bytes, int prefix)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
    }

    public override string ToString() => Text;
}
