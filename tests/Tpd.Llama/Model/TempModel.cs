namespace Tpd.Llama.Model;

/// <summary>A random model written to its own folder under the temp directory, deleted on dispose.</summary>
public sealed class TempModel : IDisposable
{
    private TempModel(ModelFile file, string folder)
    {
        File = file;
        Folder = folder;
    }

    public ModelFile File { get; }
    public string Folder { get; }
    public string Path => File.Path;

    public static TempModel Write(LlamaShape shape)
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tpd-llama-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            return new TempModel(RandomLlamaModel.Write(shape, System.IO.Path.Combine(folder, "model.gguf")), folder);
        }
        catch
        {
            Delete(folder);
            throw;
        }
    }

    public void Dispose() => Delete(Folder);

    private static void Delete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a live engine; the temp folder's cleanup takes it later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
