using Tpd.Fuzz.Tests.Mutation;

namespace Tpd.Fuzz.Tests.Harness;

/// <summary>
/// One reader under fuzzing: where its seeds come from, how to mutate them, and how to run one input end to end.
/// A new target (traces, ShareGPT, SSE, OpenAI request bodies) is one small class: seeds, a mutator, a run.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>Short name, used in reproducer file names: "config-json".</summary>
    string Name { get; }

    /// <summary>File extension of a reproducer, with the dot: ".json".</summary>
    string Extension { get; }

    /// <summary>Valid inputs to start from (fixtures under tests/fixtures).</summary>
    IReadOnlyList<byte[]> Seeds { get; }

    IMutator Mutator { get; }

    /// <summary>
    /// Runs the input through the reader (and whatever consumes its result) and says what happened. Must not
    /// catch what the reader fails to handle: an exception that escapes is the finding the harness is after.
    /// </summary>
    Outcome Run(byte[] input);

    /// <summary>Whether an outcome says the input was taken as valid: exit 0 or 1 unless the target's command uses 2 for more than bad input.</summary>
    bool Accepts(Outcome outcome) => outcome.ExitCode is 0 or 1;
}
