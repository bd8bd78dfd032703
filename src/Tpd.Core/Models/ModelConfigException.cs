namespace Tpd.Core.Models;

/// <summary>
/// A model description that cannot be used: a config.json missing required fields or holding bad values,
/// or an inline custom spec with bad keys. The message names every problem at once, with the
/// alternative names that were looked for and the fix.
/// </summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException()
    {
    }

    public ModelConfigException(string message)
        : base(message)
    {
    }

    public ModelConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ModelConfigException(string message, IReadOnlyList<string> problems)
        : base(message)
    {
        Problems = problems;
    }

    /// <summary>Each problem on its own, in the order found (the message joins them).</summary>
    public IReadOnlyList<string> Problems { get; } = [];
}
