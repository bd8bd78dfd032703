using System.Text.Json;

namespace Tpd.Llama.Server;

/// <summary>An OpenAI-style error body, {"error": {"message", "type", "param", "code"}}, with vLLM's type names.</summary>
public sealed record ApiError(int Status, string Message, string? Param = null)
{
    public string Type => Status switch
    {
        400 => "BadRequestError",
        404 => "NotFoundError",
        _ => "InternalServerError",
    };

    public void Write(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", Message);
        w.WriteString("type", Type);
        if (Param is null)
            w.WriteNull("param");
        else
            w.WriteString("param", Param);
        w.WriteNumber("code", Status);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
