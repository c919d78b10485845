using Microsoft.AspNetCore.Http.HttpResults;
using SkubberPush.Json;
using SkubberPush.Json.Rest;

namespace SkubberPush.Endpoints;

/// <summary>A refused REST request: the status and a message that says precisely what was wrong.</summary>
public sealed record ApiError(int Status, string Message)
{
    public static ApiError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public JsonHttpResult<ErrorBody> ToResult() =>
        TypedResults.Json(new ErrorBody(Message), PushJsonContext.Wire.ErrorBody, statusCode: Status);
}
