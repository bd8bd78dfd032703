using System.Runtime.InteropServices;
using LLama.Native;

namespace Tpd.Llama.Engine;

/// <summary>
/// The llama.cpp build LLamaSharp.Backend.Cpu loaded: which CPU variant (noavx, avx, avx2, avx512: LLamaSharp picks
/// the best the CPU supports), the ggml version and commit, and llama.cpp's own feature line. llama.cpp's log goes
/// to a callback that keeps warnings and errors, so its load chatter stays off the console.
/// </summary>
public static class NativeRuntime
{
    private static readonly Lock Gate = new();
    private static readonly List<string> Problems = [];
    private static bool _configured;

    /// <summary>Installs the log callback; call before the first model load (later calls do nothing).</summary>
    public static void Configure()
    {
        lock (Gate)
        {
            if (_configured)
                return;
            _configured = true;
        }

        NativeLogConfig.llama_log_set((level, message) =>
        {
            if (level is LLamaLogLevel.Warning or LLamaLogLevel.Error)
            {
                lock (Gate)
                {
                    if (Problems.Count < 200)
                        Problems.Add($"{level}: {message.TrimEnd()}");
                }
            }
        });
    }

    /// <summary>llama.cpp's warnings and errors so far (the first 200).</summary>
    public static IReadOnlyList<string> Warnings
    {
        get
        {
            lock (Gate)
                return [.. Problems];
        }
    }

    /// <summary>The libllama.so this process mapped (Linux /proc/self/maps), or null elsewhere or before a load.</summary>
    public static string? LibraryPath
    {
        get
        {
            const string maps = "/proc/self/maps";
            if (!File.Exists(maps))
                return null;
            foreach (var line in File.ReadLines(maps))
            {
                var at = line.IndexOf('/', StringComparison.Ordinal);
                if (at >= 0 && line.EndsWith("/libllama.so", StringComparison.Ordinal))
                    return line[at..];
            }

            return null;
        }
    }

    /// <summary>The CPU variant directory the library came from ("avx512", "avx2", "avx", "noavx").</summary>
    public static string? Variant => LibraryPath is { } p ? Path.GetFileName(Path.GetDirectoryName(p)) : null;

    /// <summary>llama.cpp's llama_print_system_info: the CPU features the build uses, e.g. "CPU : SSE3 = 1 | AVX2 = 1 | ...".</summary>
    public static string SystemInfo => Marshal.PtrToStringAnsi(NativeApi.llama_print_system_info())?.Trim() ?? "";

    /// <summary>ggml's version string (ggml_version), e.g. "0.9.4".</summary>
    public static string? GgmlVersion => CallString("ggml_version");

    /// <summary>The git commit ggml was built from (ggml_commit), which names the llama.cpp tree LLamaSharp shipped.</summary>
    public static string? GgmlCommit => CallString("ggml_commit");

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr StringFunction();

    private static string? CallString(string export)
    {
        if (LibraryPath is not { } llama)
            return null;
        var path = Path.Combine(Path.GetDirectoryName(llama)!, "libggml-base.so");
        if (!NativeLibrary.TryLoad(path, out var handle) || !NativeLibrary.TryGetExport(handle, export, out var fn))
            return null;
        return Marshal.PtrToStringAnsi(Marshal.GetDelegateForFunctionPointer<StringFunction>(fn)());
    }
}
