using System.Security.Cryptography;
using System.Text;

namespace Tpd.Gateway.Security;

/// <summary>
/// The SHA-256 of an API key. Keys are never stored: the config holds hashes, and a presented key is hashed
/// and compared in constant time so timing does not reveal how many leading bytes matched.
/// </summary>
public sealed class KeyHash
{
    private readonly byte[] _hash;

    private KeyHash(byte[] hash, string? name)
    {
        _hash = hash;
        Name = name;
    }

    /// <summary>A label for the key (who it belongs to); used in metrics and logs instead of the key.</summary>
    public string? Name { get; }

    /// <summary>Lower-case hex, prefixed "sha256:", as written in config files.</summary>
    public string Text => "sha256:" + Convert.ToHexStringLower(_hash);

    public static KeyHash Of(string key, string? name = null) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)), name);

    /// <summary>Parses "sha256:&lt;64 hex&gt;" (the prefix is optional); null when the text is not a SHA-256 hash.</summary>
    public static KeyHash? TryParse(string text, string? name = null)
    {
        var hex = text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? text[7..] : text;
        if (hex.Length != 64)
            return null;
        try
        {
            return new KeyHash(Convert.FromHexString(hex), name);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Hashes the presented key (UTF-8 bytes, no allocation beyond the stack) and compares in constant time.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[32];
        HashOf(presented, hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }

    /// <summary>Compares a precomputed hash in constant time.</summary>
    public bool Matches(ReadOnlySpan<byte> presentedHash) => CryptographicOperations.FixedTimeEquals(presentedHash, _hash);

    internal static void HashOf(ReadOnlySpan<char> key, Span<byte> hash32)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max <= 512)
        {
            Span<byte> bytes = stackalloc byte[max];
            var n = Encoding.UTF8.GetBytes(key, bytes);
            SHA256.HashData(bytes[..n], hash32);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()), hash32);
        }
    }

    public override string ToString() => Text;
}

/// <summary>Checks a presented key against every configured hash, visiting all of them so the time does not depend on which matched.</summary>
public static class KeyCheck
{
    /// <summary>The matching key's hash, or null.</summary>
    public static KeyHash? Find(IReadOnlyList<KeyHash> keys, ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[32];
        KeyHash.HashOf(presented, hash);
        KeyHash? found = null;
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].Matches((ReadOnlySpan<byte>)hash))
                found ??= keys[i];
        }
        return found;
    }

    /// <summary>The key from "Authorization: Bearer KEY" (or a bare key); empty when there is none.</summary>
    public static ReadOnlySpan<char> Bearer(string? header)
    {
        if (string.IsNullOrEmpty(header))
            return [];
        var span = header.AsSpan().Trim();
        return span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? span[7..].Trim() : span;
    }
}
