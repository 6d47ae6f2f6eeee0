"""OpenAPI post-processing: the schema says what the API really answers.

- every operation documents the error answers the API gives (400 for a bad parameter,
  401/403 without the right login or role, 404 for an object outside the user's scope,
  429 for a login lockout), each a JSON object, and 414 (a request line too long for
  the server, answered by gunicorn before Django);
- times are local clock times such as "09:00:00" (Europe/Moscow, no UTC offset), which
  JSON Schema's "time" format (RFC 3339, offset required) does not describe: a pattern does.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Ошибка: {"detail": "…"} или {"параметр": ["…"]}',
    "additionalProperties": {},
}
ERRORS = {
    "400": "Неверный параметр запроса (сообщение называет параметр)",
    "401": "Нужен вход: сессия, HTTP Basic или токен",
    "403": "Роль пользователя не даёт доступа к этому разделу",
    "404": "Нет такого объекта в области видимости пользователя",
    "429": "Вход временно заблокирован после неудачных попыток",
}
URI_TOO_LONG = "Адрес запроса длиннее, чем принимает сервер"
TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"


def _fix_times(node) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_PATTERN
        for value in node.values():
            _fix_times(value)
    elif isinstance(node, list):
        for value in node:
            _fix_times(value)


def document_errors_and_times(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                # Refused by the server (gunicorn) before Django: a bare text answer.
                operation["responses"].setdefault("414", {"description": URI_TOO_LONG})
    _fix_times(result)
    return result
