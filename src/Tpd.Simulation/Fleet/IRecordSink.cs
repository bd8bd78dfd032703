using Tpd.Core.Measurement;

namespace Tpd.Simulation.Fleet;

/// <summary>Where per-request records go as requests finish (a list, a JSONL writer at the edge, a summary accumulator).</summary>
public interface IRecordSink
{
    void Add(RequestRecord record);
}

/// <summary>Keeps every record in memory, in completion order.</summary>
public sealed class RecordList : IRecordSink
{
    private readonly List<RequestRecord> _records = [];

    public IReadOnlyList<RequestRecord> Records => _records;

    public void Add(RequestRecord record) => _records.Add(record);
}
