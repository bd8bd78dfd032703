using System.Text.RegularExpressions;
using Tpd.Telemetry.NvidiaSmi;
using Tpd.Telemetry.Tests.NvidiaSmi;

namespace Tpd.Telemetry.Tests.Doctor;

/// <summary>Edits a fixture's text before parsing, so each test states exactly what it changed.</summary>
internal sealed class SmiEdit(string file)
{
    private string _text = SmiFixtures.Text(file);

    /// <summary>Sets the text of the <paramref name="occurrence"/>-th (0-based) &lt;tag&gt; leaf to <paramref name="value"/>.</summary>
    public SmiEdit Set(string tag, string value, int occurrence = 0)
    {
        var re = new Regex($"<{Regex.Escape(tag)}>[^<]*</{Regex.Escape(tag)}>");
        var matches = re.Matches(_text);
        matches.Count.ShouldBeGreaterThan(occurrence, $"fixture has no <{tag}> leaf number {occurrence} to modify");
        var m = matches[occurrence];
        _text = string.Concat(_text.AsSpan(0, m.Index), $"<{tag}>{value}</{tag}>", _text.AsSpan(m.Index + m.Length));
        return this;
    }

    public IReadOnlyList<GpuSnapshot> Gpus => NvidiaSmiXmlParser.Parse(_text).Gpus;
}
