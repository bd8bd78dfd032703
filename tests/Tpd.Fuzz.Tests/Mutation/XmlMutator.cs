using System.Text;
using System.Xml;
using System.Xml.Linq;
using Tpd.Fuzz.Tests.Harness;

namespace Tpd.Fuzz.Tests.Mutation;

/// <summary>One change to an XML leaf: the element and its parent's names, and the text it now holds.</summary>
public sealed record XmlChange(string Parent, string Element, string Text, bool UnderGpu);

/// <summary>
/// Structure-aware XML mutation: parse a seed, change an element (its text to an impossible reading, removed,
/// duplicated, renamed, wrapped in deep nesting, repeated), or the document (a DTD with entities, many GPUs);
/// sometimes havoc the bytes. A single text change may carry the target's expectation.
/// </summary>
/// <param name="rules">What a single text change must cause, when the target knows.</param>
/// <param name="reading">For a leaf the reader checks, an impossible value in its own unit (else null): half of the text edits use one.</param>
public sealed class XmlMutator(Func<XmlChange, Expectation?>? rules = null, Func<XElement, Random, string?>? reading = null) : IMutator
{
    /// <summary>Readings nvidia-smi could not print: out of range, the wrong unit, not numbers, absurd sizes.</summary>
    private static readonly string[] Readings =
    [
        "1e30 C", "-300 C", "201 C", "42 F", "NaN C", "1e400 C", "-1 W", "0 W", "1e9 W", "-0.5 W", "35 furlongs", "101 %", "-1 %", "1e9 MHz",
        "-5 MHz", "1e30 MiB", "-1 MiB", "-1", "1.5", "1e300", "9999999999999999999999", "999x", "0x", "N/A", "", "Enabled", "Active",
        "18446744073709551615", "1e15 us", "1e300 us", "-1 us", "  42   C  ", "4 2 C",
        // Possible but extreme: a stopped clock, an idle or saturated board, a threshold at zero.
        "0 MHz", "1 MHz", "0 %", "100 %", "0 C", "1 W", "0.01 W", "0 MiB", "Active", "Not Active",
    ];

    public Mutant Mutate(IReadOnlyList<byte[]> seeds, Random random)
    {
        var seed = random.Pick(seeds);
        XDocument doc;
        try
        {
            doc = XDocument.Parse(Encoding.UTF8.GetString(seed), LoadOptions.PreserveWhitespace);
        }
        catch (XmlException)
        {
            return ByteMutator.Instance.Mutate([seed], random);
        }

        if (random.Next(10) == 0)
            return ByteMutator.Instance.Mutate([seed], random);
        var ops = random.Next(4) == 0 ? 2 + random.Next(2) : 1;
        var prefix = "";
        var whats = new List<string>();
        var changes = new List<XmlChange>();
        for (var op = 0; op < ops; op++)
        {
            var (what, change) = ChangeOnce(doc, random, ref prefix);
            whats.Add(what);
            if (change is not null)
                changes.Add(change);
        }

        var description = string.Join("; ", whats);
        var xml = doc.ToString(SaveOptions.DisableFormatting).Replace("@@ENTITY@@", "&c;", StringComparison.Ordinal);
        if (prefix.Length > 0)
            xml = xml.StartsWith("<?xml", StringComparison.Ordinal) ? xml.Insert(xml.IndexOf("?>", StringComparison.Ordinal) + 2, prefix) : prefix + xml;
        var bytes = Encoding.UTF8.GetBytes(xml);
        if (random.Next(10) == 0)
        {
            var (havoc, how) = ByteMutator.Havoc(bytes, random, 1 + random.Next(3));
            return new Mutant(havoc, $"xml: {description}; {how}");
        }

        // Only one text change and nothing else tells exactly what the input must cause.
        return new Mutant(bytes, $"xml: {description}", ops == 1 && changes.Count == 1 ? rules?.Invoke(changes[0]) : null);
    }

    private (string What, XmlChange? Change) ChangeOnce(XDocument doc, Random random, ref string prefix)
    {
        var elements = doc.Descendants().ToList();
        var e = random.Pick(elements);
        string? focused = null;
        if (reading is not null && random.Next(2) == 0)
        {
            var checkedLeaves = elements.Where(x => !x.HasElements && reading(x, random) is not null).ToList();
            if (checkedLeaves.Count > 0)
            {
                e = random.Pick(checkedLeaves);
                focused = reading(e, random);
            }
        }

        string what;
        XmlChange? change = null;
        switch (random.Next(10))
        {
            case var _ when focused is not null:
            case 0 or 1 or 2 or 3 when !e.HasElements:
                var text = focused ?? random.Pick(Readings);
                e.Value = text;
                change = new XmlChange(e.Parent?.Name.LocalName ?? "", e.Name.LocalName, text, e.Parent?.Parent?.Name.LocalName == "gpu");
                what = $"text {e.Parent?.Name.LocalName}/{e.Name.LocalName} = {text}";
                break;
            case 4 when e.Parent is not null:
                e.Remove();
                what = $"remove {e.Name.LocalName}";
                break;
            case 5 when e.Parent is not null:
                for (var i = random.Next(1, random.Next(2) == 0 ? 3 : 300); i > 0; i--)
                    e.AddAfterSelf(new XElement(e));
                what = $"repeat {e.Name.LocalName}";
                break;
            case 6 when e.Parent is not null:
                e.Name = random.Pick(elements).Name;
                what = $"rename to {e.Name.LocalName}";
                break;
            case 7 when e.Parent is not null:
                var depth = random.Next(2) == 0 ? 20 + random.Next(20) : 1_000 + random.Next(50_000);
                XElement wrapped = new(e);
                for (var i = 0; i < depth; i++)
                    wrapped = new XElement("x", wrapped);
                e.ReplaceWith(wrapped);
                what = $"nest {e.Name.LocalName} {depth} deep";
                break;
            case 8:
                // Entities: undefined ones, and a small billion-laughs DTD (the reader must not expand it).
                prefix = "<!DOCTYPE nvidia_smi_log [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>";
                if (!e.HasElements)
                    e.Value = "@@ENTITY@@";
                what = "dtd with entities";
                break;
            default:
                var gpu = doc.Root?.Element("gpu");
                if (gpu is not null)
                {
                    for (var i = random.Next(2, 64); i > 0; i--)
                        gpu.AddAfterSelf(new XElement(gpu));
                }

                what = "many gpus";
                break;
        }

        return (what, change);
    }
}
