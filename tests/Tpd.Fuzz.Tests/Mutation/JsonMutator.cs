using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tpd.Fuzz.Tests.Harness;

namespace Tpd.Fuzz.Tests.Mutation;

/// <summary>
/// One structure-aware change to a JSON document, as the target's rules see it: where, what kind of change, and
/// the new value's JSON kind and raw text (kinds the parser would refuse, such as NaN, have no kind).
/// </summary>
public sealed record JsonChange(string Path, string Key, string Kind, JsonValueKind? NewKind, string NewRaw, JsonObject? Root)
{
    /// <summary>The new value as a double when it is a JSON number ("1e400" is one, and overflows).</summary>
    public double? Number => NewKind == JsonValueKind.Number ? double.Parse(NewRaw, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>
/// Structure-aware JSON mutation: parse a seed, change the tree (replace a value with one of another type or an
/// absurd size, remove, add an unknown key, duplicate a key, splice in a subtree of another seed, nest deeply,
/// repeat an array), write it out; sometimes also havoc the bytes. When exactly one tree change was made and
/// the bytes were left alone, the target's rules may say what the change must cause.
/// </summary>
/// <param name="rules">What a single change must cause, when the target knows.</param>
/// <param name="focus">Keys worth changing most (the fields a reader uses): half of the changes go to one of them.</param>
public sealed class JsonMutator(Func<JsonChange, Expectation?>? rules = null, Func<string, bool>? focus = null) : IMutator
{
    private const string Marker = "@@RAW";

    public Mutant Mutate(IReadOnlyList<byte[]> seeds, Random random)
    {
        var seed = random.Pick(seeds);
        if (random.Next(10) == 0 || Parse(seed) is not { } root)
            return ByteMutator.Instance.Mutate([seed], random);

        var raws = new List<string>();
        var changes = new List<JsonChange>();
        var ops = random.Next(4) == 0 ? 2 + random.Next(2) : 1;
        for (var i = 0; i < ops; i++)
        {
            if (Change(ref root, seeds, random, raws, focus) is { } c)
                changes.Add(c);
        }

        var text = Write(root, raws);
        var bytes = Encoding.UTF8.GetBytes(text);
        var description = "json: " + string.Join("; ", changes.Select(c => $"{c.Kind} {c.Path} = {Brief(c.NewRaw)}"));
        Expectation? expectation = changes.Count == 1 && rules is not null ? rules(changes[0] with { Root = root as JsonObject }) : null;
        if (random.Next(10) == 0)
        {
            var (havoc, what) = ByteMutator.Havoc(bytes, random, 1 + random.Next(3));
            return new Mutant(havoc, description + "; " + what);
        }

        return new Mutant(bytes, description, expectation);
    }

    private static JsonNode? Parse(byte[] seed)
    {
        try
        {
            return JsonNode.Parse(seed, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonChange? Change(ref JsonNode root, IReadOnlyList<byte[]> seeds, Random random, List<string> raws, Func<string, bool>? focus)
    {
        var nodes = new List<(JsonNode? Node, JsonNode? Parent, string Key, int Index, string Path)>();
        Collect(root, null, "", -1, "$", nodes);
        var (node, parent, key, index, path) = random.Pick(nodes);
        var op = random.Next(9);
        if (focus is not null && random.Next(2) == 0 && nodes.Where(n => focus(n.Path)).ToList() is { Count: > 0 } focused)
        {
            (node, parent, key, index, path) = random.Pick(focused);
            op = 0;
        }

        switch (op)
        {
            case 0 or 1 or 2:
                {
                    // Another type or an absurd size in place of a value.
                    var (raw, kind) = NewValue(random);
                    Set(ref root, parent, key, index, Raw(raw, raws));
                    return new JsonChange(path, key, "replace", kind, raw, null);
                }

            case 3 when parent is JsonObject o:
                o.Remove(key);
                return new JsonChange(path, key, "remove", null, "", null);
            case 3 when parent is JsonArray a:
                a.RemoveAt(index);
                return new JsonChange(path, key, "remove", null, "", null);
            case 4 when node is JsonObject obj:
                {
                    var (raw, kind) = NewValue(random);
                    var name = "x_fuzz" + random.Next(100);
                    if (obj.ContainsKey(name))
                        return null;
                    obj[name] = Raw(raw, raws);
                    return new JsonChange($"{path}.{name}", name, "add", kind, raw, null);
                }

            case 5 when node is JsonObject obj && obj.Count > 0:
                {
                    // A key written twice: JsonNode cannot hold it, so the second copy goes in as raw text.
                    var (dupKey, value) = obj.ElementAt(random.Next(obj.Count));
                    var placeholder = $"{Marker}KEY{raws.Count}@@";
                    raws.Add(JsonSerializer.Serialize(dupKey));
                    obj[placeholder] = value?.DeepClone();
                    return new JsonChange($"{path}.{dupKey}", dupKey, "duplicate-key", null, dupKey, null);
                }

            case 6:
                {
                    // A subtree of another seed in place of this value.
                    if (Parse(random.Pick(seeds)) is not { } other)
                        return null;
                    var donors = new List<(JsonNode? Node, JsonNode? Parent, string Key, int Index, string Path)>();
                    Collect(other, null, "", -1, "$", donors);
                    var donor = random.Pick(donors).Node?.DeepClone();
                    Set(ref root, parent, key, index, donor);
                    return new JsonChange(path, key, "splice", null, donor?.ToJsonString() ?? "null", null);
                }

            case 7:
                {
                    var raw = random.Next(2) == 0 ? Interesting.Nest("[", "]", 30 + random.Next(5_000), "1") : Interesting.Nest("{\"a\":", "}", 30 + random.Next(500), "1");
                    Set(ref root, parent, key, index, Raw(raw, raws));
                    return new JsonChange(path, key, "nest", null, raw, null);
                }

            case 8 when node is JsonArray arr && arr.Count > 0:
                {
                    var times = random.Next(2) == 0 ? 2 + random.Next(10) : 200 + random.Next(2_000);
                    var items = arr.Select(x => x?.DeepClone()).ToList();
                    for (var t = 1; t < times; t++)
                    {
                        foreach (var item in items)
                            arr.Add(item?.DeepClone());
                    }

                    return new JsonChange(path, key, "repeat", null, $"x{times}", null);
                }

            default:
                return null;
        }
    }

    private static (string Raw, JsonValueKind? Kind) NewValue(Random random)
    {
        switch (random.Next(5))
        {
            case 0 or 1:
                return (random.Pick(Interesting.Numbers), JsonValueKind.Number);
            case 2:
                return ("\"" + random.Pick(Interesting.Texts) + "\"", JsonValueKind.String);
            case 3:
                var raw = Interesting.RawJson(random);
                return (raw, raw switch
                {
                    "null" => JsonValueKind.Null,
                    "true" => JsonValueKind.True,
                    "NaN" or "Infinity" => null,
                    _ when raw.StartsWith('[') => JsonValueKind.Array,
                    _ when raw.StartsWith('{') => JsonValueKind.Object,
                    _ when raw.StartsWith('"') => JsonValueKind.String,
                    _ => JsonValueKind.Number,
                });
            default:
                var literal = random.Pick(["null", "true", "false", "[]", "{}", "[1]", "{\"a\":1}"]);
                return (literal, literal switch
                {
                    "null" => JsonValueKind.Null,
                    "true" => JsonValueKind.True,
                    "false" => JsonValueKind.False,
                    _ when literal.StartsWith('[') => JsonValueKind.Array,
                    _ => JsonValueKind.Object,
                });
        }
    }

    /// <summary>A placeholder string that <see cref="Write"/> swaps for the raw text, so values no JsonNode can hold (NaN, 5,000 levels) get in.</summary>
    private static JsonValue Raw(string raw, List<string> raws)
    {
        raws.Add(raw);
        return JsonValue.Create($"{Marker}{raws.Count - 1}@@");
    }

    private static string Write(JsonNode? root, List<string> raws)
    {
        var text = root?.ToJsonString() ?? "null";
        for (var i = raws.Count - 1; i >= 0; i--)
        {
            text = text.Replace($"\"{Marker}{i}@@\"", raws[i], StringComparison.Ordinal)
                .Replace($"\"{Marker}KEY{i}@@\"", raws[i], StringComparison.Ordinal);
        }

        return text;
    }

    private static void Set(ref JsonNode root, JsonNode? parent, string key, int index, JsonNode? value)
    {
        switch (parent)
        {
            case JsonObject o:
                o[key] = value;
                break;
            case JsonArray a:
                a[index] = value;
                break;
            default:
                root = value ?? JsonValue.Create("null")!;
                break;
        }
    }

    private static void Collect(JsonNode? node, JsonNode? parent, string key, int index, string path, List<(JsonNode?, JsonNode?, string, int, string)> into)
    {
        into.Add((node, parent, key, index, path));
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                    Collect(v, o, k, -1, $"{path}.{k}", into);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    Collect(a[i], a, $"[{i}]", i, $"{path}[{i}]", into);
                break;
        }
    }

    private static string Brief(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
