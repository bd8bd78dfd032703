using System.Text.Json;

namespace Tpd.Twin.OpenAi;

/// <summary>An OpenAI-style error: {"error": {"message", "type", "param", "code"}}, with vLLM's type names.</summary>
internal sealed record ApiError(int Status, string Message, string? Param = null)
{
    public string Type => Status switch
    {
        400 => "BadRequestError",
        404 => "NotFoundError",
        405 => "MethodNotAllowed",
        413 => "RequestEntityTooLarge",
        429 => "RateLimitError",
        503 => "ServiceUnavailableError",
        _ => "InternalServerError",
    };

    public void Write(Utf8JsonWriter w)
    {
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
