using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tpd.Gateway.Config;
using Tpd.Gateway.Routing;

namespace Tpd.Gateway.Proxy;

/// <summary>What the gateway reads from a request body: one pass over the top-level properties, nothing else parsed.</summary>
internal struct RequestInfo
{
    public bool Valid;
    public bool Stream;
    public bool HasStreamOptions;
    public bool IncludeUsage;
    public int MaxTokens;
    public ulong UserHash;
    public bool HasUser;
    public ulong PrefixHash;
    public bool HasPrefix;

    /// <summary>Reads stream, stream_options.include_usage, max_tokens (or max_completion_tokens), user and, when
    /// affinity wants it, a hash of the first message's (or prompt's) first characters.</summary>
    public static RequestInfo Read(ReadOnlySpan<byte> body, bool wantPrefix, int prefixChars)
    {
        var info = default(RequestInfo);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return info;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    info.Stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    info.HasStreamOptions = reader.TokenType == JsonTokenType.StartObject;
                    if (info.HasStreamOptions)
                        info.IncludeUsage = ReadIncludeUsage(ref reader);
                    else
                        reader.Skip();
                }
                else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var m))
                        info.MaxTokens = m;
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        info.UserHash = Stable.Hash(reader.ValueSpan);
                        info.HasUser = reader.ValueSpan.Length > 0;
                    }
                }
                else if (wantPrefix && (reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("prompt"u8)))
                {
                    reader.Read();
                    if (FirstText(ref reader, prefixChars) is { } text)
                    {
                        info.PrefixHash = Stable.Hash(text.AsSpan());
                        info.HasPrefix = true;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            info.Valid = reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            info.Valid = false;
        }
        return info;
    }

    public readonly RouteKey RouteKey(RoutingConfig routing, long bodyBytes, string? headerValue)
    {
        // Prompt tokens estimated at 4 bytes each (English BPE average); output at max_tokens or the configured default.
        var tokens = (bodyBytes / 4) + (MaxTokens > 0 ? MaxTokens : routing.DefaultMaxTokens);
        if (routing.Policy != BalancePolicy.Affinity)
            return new RouteKey(tokens, 0, false);
        foreach (var source in routing.AffinitySources)
        {
            switch (source)
            {
                case AffinitySource.Header when !string.IsNullOrEmpty(headerValue):
                    return new RouteKey(tokens, Stable.Hash(headerValue.AsSpan()), true);
                case AffinitySource.User when HasUser:
                    return new RouteKey(tokens, UserHash, true);
                case AffinitySource.Prefix when HasPrefix:
                    return new RouteKey(tokens, PrefixHash, true);
            }
        }
        return new RouteKey(tokens, 0, false);
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        var include = false;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("include_usage"u8))
            {
                reader.Read();
                include = reader.TokenType == JsonTokenType.True;
            }
        }
        return include;
    }

    /// <summary>The first string found (prompt text, or the first message's content), cut to maxChars; leaves the reader after the value.</summary>
    private static string? FirstText(ref Utf8JsonReader reader, int maxChars)
    {
        if (reader.TokenType == JsonTokenType.String)
            return Cut(reader.GetString(), maxChars);
        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
            return null;
        var depth = reader.CurrentDepth;
        string? found = null;
        var nextIsContent = false;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (found is null && reader.TokenType == JsonTokenType.PropertyName)
                nextIsContent = reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8);
            else if (found is null && reader.TokenType == JsonTokenType.String && (nextIsContent || reader.CurrentDepth == depth + 1))
                found = Cut(reader.GetString(), maxChars);
            else if (reader.TokenType != JsonTokenType.PropertyName)
                nextIsContent = false;
        }
        return found;
    }

    private static string? Cut(string? s, int n) => s is null ? null : s.Length <= n ? s : s[..n];
}

/// <summary>Rewrites a streaming request so the worker sends its usage chunk, which metering needs.</summary>
internal static class UsageForcing
{
    private static readonly byte[] Insert = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();

    /// <summary>The body to send upstream: unchanged when usage is already asked for or the request does not stream.</summary>
    public static ReadOnlyMemory<byte> Apply(ReadOnlyMemory<byte> body, in RequestInfo info)
    {
        if (!info.Stream || info.IncludeUsage)
            return body;
        if (!info.HasStreamOptions)
        {
            // Cheap path: splice the option in right after the opening brace; no re-serialisation.
            var span = body.Span;
            var brace = span.IndexOf((byte)'{');
            var result = new byte[body.Length + Insert.Length];
            span[..(brace + 1)].CopyTo(result);
            Insert.CopyTo(result.AsSpan(brace + 1));
            span[(brace + 1)..].CopyTo(result.AsSpan(brace + 1 + Insert.Length));
            return result;
        }

        // stream_options present without include_usage: rare, so a full rewrite is fine.
        var node = JsonNode.Parse(body.Span)!.AsObject();
        var options = node["stream_options"]!.AsObject();
        options["include_usage"] = true;
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
