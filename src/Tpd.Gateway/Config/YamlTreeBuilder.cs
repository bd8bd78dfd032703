using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tpd.Gateway.Config;

/// <summary>
/// Builds the config tree from YamlDotNet's event stream with an explicit stack: no recursion, so 50,000
/// nested '[' cannot overflow the stack (YamlDotNet's own node loader recurses once per level). Limits are
/// checked per event, before anything expands: an alias adds the node count of what it names, so an alias
/// bomb is refused after a few dozen events. An alias shares its anchor's node instead of copying it; the
/// tree is only read. Merge keys (&lt;&lt;: *defaults, YAML 1.1) work: keys written in the map win over merged
/// ones, and earlier maps in a merged list win over later ones.
/// </summary>
internal sealed class YamlTreeBuilder
{
    private readonly string _source;
    private readonly List<string> _errors;
    private readonly Stack<Frame> _stack = new();
    private readonly Dictionary<string, (object? Node, long Size)> _anchors = new(StringComparer.Ordinal);
    private object? _root;
    private long _nodes;
    private int _aliases;
    private int _documents;
    private bool _stopped;

    private YamlTreeBuilder(string source, List<string> errors)
    {
        _source = source;
        _errors = errors;
    }

    /// <summary>The tree of the file's one document; null (and errors added) when it breaks a rule or a limit.</summary>
    public static object? Build(string text, string source, List<string> errors)
    {
        var builder = new YamlTreeBuilder(source, errors);
        var before = errors.Count;
        builder.Run(new Parser(new StringReader(text)));
        return errors.Count == before ? builder._root : null;
    }

    private void Run(Parser parser)
    {
        while (!_stopped && parser.MoveNext())
        {
            var line = parser.Current!.Start.Line;
            switch (parser.Current)
            {
                case DocumentStart when ++_documents > 1:
                    Stop(line, "a second YAML document (after '---')", "a config is one document: remove the second or merge the two");
                    break;
                case Scalar s:
                    OnScalar(s, line);
                    break;
                case MappingStart m:
                    Open(new Frame(new Dictionary<string, object?>(StringComparer.Ordinal), m.Anchor, line), line);
                    break;
                case SequenceStart q:
                    Open(new Frame(new List<object?>(), q.Anchor, line), line);
                    break;
                case MappingEnd or SequenceEnd:
                    Close();
                    break;
                case AnchorAlias a:
                    OnAlias(a, line);
                    break;
            }
        }
    }

    private void OnScalar(Scalar s, long line)
    {
        if (_stack.TryPeek(out var parent) && parent.Map is not null && parent.Key is null)
        {
            // A key: merge key '<<' only when plain, as YAML 1.1 says; a quoted '<<' is an ordinary key.
            parent.Key = s.Value;
            parent.KeyIsMerge = s.Style == ScalarStyle.Plain && s.Value == "<<";
            parent.KeyLine = line;
            parent.Size++;
            Count(1, line);
            return;
        }

        // Text by the file's own typing: quoted, a block scalar, or tagged !!str ("!!str 5" is the text "5").
        var text = s.Style is not ScalarStyle.Plain || (!s.Tag.IsEmpty && s.Tag.Value == "tag:yaml.org,2002:str");
        object? value = !text && s.Tag.IsEmpty && s.Value is "" or "~" or "null" or "Null" or "NULL"
            ? null
            : new ConfigTree.Scalar(s.Value, text);
        Add(value, 1, s.Anchor, line);
    }

    private void OnAlias(AnchorAlias a, long line)
    {
        if (++_aliases > ConfigLimits.MaxAliases)
            Stop(line, $"more than {ConfigLimits.MaxAliases} aliases (*name)", "write the repeated values out; the limit guards against alias bombs");
        else if (!_anchors.TryGetValue(a.Value.Value, out var target))
            Stop(line, $"the alias *{a.Value.Value} names no anchor before it", $"define &{a.Value.Value} on a value first, or remove the alias");
        else if (_stack.TryPeek(out var parent) && parent.Map is not null && parent.Key is null)
            Stop(line, $"the alias *{a.Value.Value} is used as a key", "keys are plain text such as name:");
        else
            Add(target.Node, target.Size, AnchorName.Empty, line);
    }

    private void Open(Frame frame, long line)
    {
        if (_stack.TryPeek(out var parent) && parent.Map is not null && parent.Key is null)
            Stop(line, "a map or list used as a key", "keys are plain text such as name:");
        else if (_stack.Count + 1 > ConfigLimits.MaxDepth)
            Stop(line, $"maps and lists nested more than {ConfigLimits.MaxDepth} deep", "a gateway config nests 4 deep; check for unclosed '[' or '{'");
        else if (Count(1, line))
            _stack.Push(frame);
    }

    private void Close()
    {
        var frame = _stack.Pop();
        if (frame.Map is { } map)
            ApplyMerges(frame, map);
        Add((object?)frame.Map ?? frame.List, frame.Size, frame.Anchor, frame.Line, counted: true);
    }

    private void ApplyMerges(Frame frame, Dictionary<string, object?> map)
    {
        foreach (var (source, line) in frame.Merges)
        {
            var maps = source switch
            {
                Dictionary<string, object?> one => [one],
                List<object?> list when list.All(x => x is Dictionary<string, object?>) => list.Cast<Dictionary<string, object?>>().ToList(),
                _ => null,
            };
            if (maps is null)
            {
                _errors.Add($"{_source}: line {line}: the merge key '<<' takes a map or a list of maps, got {ConfigTree.Brief(source)}; write e.g. <<: *defaults");
                continue;
            }

            foreach (var m in maps)
            {
                foreach (var (key, value) in m)
                    map.TryAdd(key, value);
            }
        }
    }

    private void Add(object? value, long size, AnchorName anchor, long line, bool counted = false)
    {
        if (!counted && !Count(size, line))
            return;
        if (!anchor.IsEmpty)
            _anchors[anchor.Value] = (value, size);
        if (!_stack.TryPeek(out var parent))
        {
            _root = value;
            return;
        }

        parent.Size += size;
        if (parent.List is { } list)
        {
            list.Add(value);
            return;
        }

        var key = parent.Key!;
        if (parent.KeyIsMerge)
            parent.Merges.Add((value, parent.KeyLine));
        else if (!parent.Map!.TryAdd(key, value))
            _errors.Add($"{_source}: line {parent.KeyLine}: the key '{ConfigTree.Brief(key)}' appears twice in one map; keep one");
        parent.Key = null;
    }

    /// <summary>Counts nodes as if every alias were copied, so the limit holds for whatever reads the tree.</summary>
    private bool Count(long size, long line)
    {
        _nodes += size;
        if (_nodes <= ConfigLimits.MaxNodes)
            return true;
        Stop(line, $"more than {ConfigLimits.MaxNodes:N0} values once aliases are expanded", "a gateway config needs a few hundred; write out what the aliases repeat");
        return false;
    }

    /// <summary>A limit or a structure the tree cannot hold: reported, and nothing more is read.</summary>
    private void Stop(long line, string what, string fix)
    {
        _errors.Add($"{_source}: line {line}: {what}; {fix}");
        _stopped = true;
    }

    private sealed class Frame(object node, AnchorName anchor, long line)
    {
        public Dictionary<string, object?>? Map { get; } = node as Dictionary<string, object?>;
        public List<object?>? List { get; } = node as List<object?>;
        public AnchorName Anchor { get; } = anchor;
        public long Line { get; } = line;
        public long Size { get; set; } = 1;
        public string? Key { get; set; }
        public bool KeyIsMerge { get; set; }
        public long KeyLine { get; set; }
        public List<(object? Value, long Line)> Merges { get; } = [];
    }
}
