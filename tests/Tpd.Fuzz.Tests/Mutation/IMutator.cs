using Tpd.Fuzz.Tests.Harness;

namespace Tpd.Fuzz.Tests.Mutation;

/// <summary>One mutated input: its bytes, what was done (for the failure message), and what it must cause, when known.</summary>
public sealed record Mutant(byte[] Bytes, string Description, Expectation? Expectation = null);

/// <summary>Turns seeds into a new input. Deterministic for a given <see cref="Random"/> state.</summary>
public interface IMutator
{
    Mutant Mutate(IReadOnlyList<byte[]> seeds, Random random);
}
