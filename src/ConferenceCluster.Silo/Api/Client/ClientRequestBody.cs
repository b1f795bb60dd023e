using System.Text.Json;

namespace ConferenceCluster.Silo.Api.Client;

/// <summary>
/// A client API request's JSON body, read and checked field by field, so every bad request is a 400 that names its
/// field (a type mismatch, a missing or oversized value) rather than a framework error. Fields the API does not use
/// are ignored: Pexip's clients send more than we read (call_tag, direct_media, breakout_capable ...).
/// </summary>
internal sealed class ClientRequestBody
{
    /// <summary>An SDP offer with a few m= lines is a few KiB; nothing the API takes needs more.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly JsonElement _body;

    /// <summary>Where this object is in the request ("" for the body, "transforms." inside it): field errors name the whole path.</summary>
    private readonly string _path;

    private ClientRequestBody(JsonElement body, string path = "")
    {
        _body = body;
        _path = path;
    }

    /// <summary>An empty body reads as <c>{}</c> (the SDKs send none for refresh_token, ack, lock ...).</summary>
    public static async Task<(ClientRequestBody? Body, IResult? Error)> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes)
            return (null, ClientResponses.Failure(StatusCodes.Status413PayloadTooLarge, $"body: larger than {MaxBytes} bytes", "body"));
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                return (null, ClientResponses.Failure(StatusCodes.Status413PayloadTooLarge, $"body: larger than {MaxBytes} bytes", "body"));
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
            return (new ClientRequestBody(JsonDocument.Parse("{}").RootElement), null);
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (new ClientRequestBody(document.RootElement.Clone()), null)
                : (null, ClientResponses.BadField("body", "must be a JSON object"));
        }
        catch (JsonException ex)
        {
            return (null, ClientResponses.BadField("body", $"not valid JSON ({ex.Message})"));
        }
    }

    /// <summary>A string field: null when absent or JSON null (an error if <paramref name="required"/>).</summary>
    public bool TryString(string name, bool required, int maxLength, out string? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!_body.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            if (required) error = ClientResponses.BadField(_path + name, "required");
            return !required;
        }
        if (property.ValueKind != JsonValueKind.String)
        {
            error = ClientResponses.BadField(_path + name, $"must be a string, not {Describe(property.ValueKind)}");
            return false;
        }
        value = property.GetString()!;
        if (required && string.IsNullOrWhiteSpace(value))
        {
            error = ClientResponses.BadField(_path + name, "must not be empty");
            return false;
        }
        if (value.Length > maxLength)
        {
            error = ClientResponses.BadField(_path + name, $"longer than {maxLength} characters");
            return false;
        }
        return true;
    }

    /// <summary>An object field (e.g. transform_layout's <c>transforms</c>), read like the body; null when absent (an error if <paramref name="required"/>).</summary>
    public bool TryObject(string name, bool required, out ClientRequestBody? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!_body.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            if (required) error = ClientResponses.BadField(_path + name, "required");
            return !required;
        }
        if (property.ValueKind != JsonValueKind.Object)
        {
            error = ClientResponses.BadField(_path + name, $"must be an object, not {Describe(property.ValueKind)}");
            return false;
        }
        value = new ClientRequestBody(property, _path + name + ".");
        return true;
    }

    /// <summary>An optional boolean field.</summary>
    public bool TryBoolean(string name, out bool? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!_body.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null) return true;
        if (property.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = property.GetBoolean();
            return true;
        }
        error = ClientResponses.BadField(_path + name, $"must be true or false, not {Describe(property.ValueKind)}");
        return false;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
