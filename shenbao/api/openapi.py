"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

Written here by hand, beside the views it describes (views.py): every answer an operation can give is
listed, errors included, and the Schemathesis test (tests/test_openapi_conformance.py) fails when an
answer and this document disagree. The interchange format's JSON Schemas are read from their files
(applications/schema/) and embedded under components, their `$defs` hoisted beside them, so that every
`$ref` is internal (`#/components/...`) and the document is self-contained.
"""

import json

from shenbao.applications import interchange
from shenbao.applications.models import Application
from shenbao.jobs.models import Job
from shenbao.review.models import RecommendationList
from shenbao.rules.findings import Severity

from .errors import AUTHENTICATE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _embedded(format: str, name: str) -> dict[str, dict]:
    """The format's JSON Schema as component `name`, its `$defs` as `name_<def>`, references rewritten."""
    schema = json.loads(interchange.SCHEMA_PATHS[format].read_text(encoding="utf-8"))
    schema.pop("$schema", None)
    schema.pop("$id", None)
    definitions = schema.pop("$defs", {})
    targets = {f"#/$defs/{key}": f"#/components/schemas/{name}_{key}" for key in definitions}

    def rewrite(node):
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and node["$ref"] not in targets:
            raise ValueError(f"{format}: reference {node['$ref']} would leave the document")
        return {key: targets[value] if key == "$ref" else rewrite(value) for key, value in node.items()}

    return {name: rewrite(schema), **{f"{name}_{key}": rewrite(value) for key, value in definitions.items()}}


def _answer(properties: dict, required=None, description: str = "") -> dict:
    """An object the API answers with: exactly these members (`additionalProperties: false`), so that
    a member added to an answer without being documented fails the conformance test."""
    schema = {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
        "additionalProperties": False,
    }
    return {"description": description, **schema} if description else schema


def _schemas() -> dict:
    summary = {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "category": {"type": "string", "description": "类别代码，如 1001；未填写时为空"},
        "state": {"enum": Application.State.values},
        "state_label": {"type": "string", "description": "状态的中文名称"},
        "receipt_no": {"type": "string", "description": "受理编号；提交前为空"},
        "version": {"type": "integer"},
        "sealed": {"type": "boolean", "description": "是否已有单位签章PDF"},
    }
    error = {
        "detail": {"type": "string", "description": "中文原因，指明字段和规则，或当前状态"},
        "error": {"type": "string", "deprecated": True, "description": "同 detail（v1 初版的字段名）"},
    }
    job = _answer({"state": {"enum": Job.State.values}, "error": {"type": "string", "description": "失败原因"}})
    return {
        "Error": _answer(error),
        "Refusal": _answer(
            {
                **error,
                "findings": {
                    "type": "array",
                    "items": _ref("schemas", "Finding"),
                    "description": "提交被形式审查拦下时：不符合和未填写的各项",
                },
                "list": {**_ref("schemas", "RecommendationList"), "description": "清单已确认时：该清单"},
            },
            required=list(error),
            description="状态、时间窗口、形式审查或限额不允许的操作",
        ),
        "Summary": _answer(summary),
        "ApplicationDetail": _answer(
            {**summary, "document": {**_ref("schemas", "Application"), "description": "交换格式文档"}}
        ),
        "SealQueued": _answer(
            {
                **summary,
                "queued": {"type": "boolean", "description": "是否新排队签章；已签章的只报送时为 false"},
                "job": {"oneOf": [{"type": "null"}, job], "description": "签章任务；只报送时为 null"},
            }
        ),
        "Finding": _answer(
            {
                "code": {"type": "string"},
                "severity": {"enum": [str(s) for s in Severity], "description": "bar 不符合，incomplete 未填写"},
                "field": {"type": "string", "description": "申报书中的位置，如 partners[1].uscc"},
                "clause": {"type": "string", "description": "指南条款，如 一(三)8"},
                "message": {"type": "string"},
            }
        ),
        "RecommendationList": _answer(
            {
                "id": {"type": "integer"},
                "state": {"enum": RecommendationList.State.values},
                "confirmed_at": {"type": "string", "format": "date-time"},
            }
        ),
        "Reason": {
            "type": "object",
            "properties": {"reason": {"type": "string", "description": "原因，将告知对方"}},
        },
        "SealRequest": {
            "type": "object",
            "properties": {"submit": {"type": "boolean", "default": False, "description": "签章后报送归口管理部门"}},
        },
        **_embedded(interchange.FORMAT, "Application"),
        **_embedded(interchange.FORMAT_1, "ApplicationV1"),
    }


def _error(description: str, headers: dict | None = None, schema: str = "Error") -> dict:
    response = {"description": description, "content": {"application/json": {"schema": _ref("schemas", schema)}}}
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "string"}, "description": "多少秒后再试"}}
RESPONSES = {
    "BadRequest": _error("请求体不是有效的JSON、不是可读的申报书，或字段类型不对"),
    "Unauthorized": _error(
        "缺少、无效、已吊销或已失效的令牌",
        {"WWW-Authenticate": {"required": True, "schema": {"const": AUTHENTICATE}}},
    ),
    "Forbidden": _error("无权操作，或须先登录网页修改初始密码"),
    "NotFound": _error("地址或对象不存在，或无权查看"),
    "Conflict": _error("状态、时间窗口、形式审查或限额不允许", schema="Refusal"),
    "TooManyRequests": _error("请求过于频繁（无效令牌过多，或草稿PDF生成过多）", RETRY_AFTER),
    "ServerError": _error("服务器内部错误（已记录）"),
    "StorageUnavailable": _error("文件存储暂时不可用"),
}
# What any operation can answer: the token is checked first, and refused tokens are rate-limited.
COMMON = ("401", "403", "429", "500")
NAMES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "NotFound",
    "409": "Conflict",
    "429": "TooManyRequests",
    "500": "ServerError",
    "503": "StorageUnavailable",
}


def _json(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _file(description: str, media_type: str) -> dict:
    return {
        "description": description,
        "headers": {"Content-Disposition": {"required": True, "schema": {"type": "string"}}},
        "content": {media_type: {"schema": {"type": "string", "contentMediaType": media_type}}},
    }


def _operation(summary: str, ok: dict, errors: tuple[str, ...], *, path_parameters=(), body=None) -> dict:
    operation = {"summary": summary, "responses": ok}
    for status in sorted({*errors, *COMMON}):
        operation["responses"][status] = _ref("responses", NAMES[status])
    if path_parameters:
        operation["parameters"] = [_ref("parameters", name) for name in path_parameters]
    if body is not None:
        operation["requestBody"] = body
    return operation


def _body(schema: dict, required: bool) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _transition(summary: str, *, with_reason: bool = False, checks_files: bool = False) -> dict:
    """A transition's POST: `with_reason` reads {"reason"} from the body; `checks_files` looks in the
    file store for the files the next step depends on (503 when it does not answer)."""
    errors = ("404", "409") + (("400",) if with_reason else ()) + (("503",) if checks_files else ())
    body = _body(_ref("schemas", "Reason"), False) if with_reason else None
    ok = {"200": _json("已办理", _ref("schemas", "Summary"))}
    return {"post": _operation(summary, ok, errors, path_parameters=["id"], body=body)}


def components() -> dict:
    document_body = {
        "oneOf": [_ref("schemas", "Application"), _ref("schemas", "ApplicationV1")],
        "discriminator": {
            "propertyName": "format",
            "mapping": {
                interchange.FORMAT: "#/components/schemas/Application",
                interchange.FORMAT_1: "#/components/schemas/ApplicationV1",
            },
        },
    }
    return {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "在账号页面申请的API令牌"}},
        "schemas": {**_schemas(), "Document": document_body},
        "responses": RESPONSES,
        "parameters": {
            "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
            "list": {"name": "list", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
        },
    }


def paths() -> dict:
    summary = _ref("schemas", "Summary")
    document = _body(_ref("schemas", "Document"), True)
    created_at = {"Location": {"required": True, "schema": {"type": "string"}, "description": "新草稿的地址"}}
    return {
        "/applications": {
            "get": _operation(
                "可见的申报书（最近更新的500份）",
                {"200": _json("成功", {"type": "array", "items": summary, "maxItems": 500})},
                (),
            ),
            "post": _operation(
                "导入申报书（交换格式 shenbao.application/2；/1 读入时自动升级）为草稿",
                {"201": _json("已创建草稿", summary, created_at)},
                ("400", "404", "409"),
                body=document,
            ),
        },
        "/review": {
            "post": _operation(
                "形式审查一份申报书文档（不保存；所列附件按上传规则检查大小和PDF格式）",
                {"200": _json("审查结果", {"type": "array", "items": _ref("schemas", "Finding")})},
                ("400",),
                body=document,
            )
        },
        "/applications/{id}": {
            "get": _operation(
                "申报书及其交换格式文档",
                {"200": _json("成功", _ref("schemas", "ApplicationDetail"))},
                ("404",),
                path_parameters=["id"],
            )
        },
        "/applications/{id}/findings": {
            "get": _operation(
                "形式审查结果",
                {"200": _json("成功", {"type": "array", "items": _ref("schemas", "Finding")})},
                ("404",),
                path_parameters=["id"],
            )
        },
        "/applications/{id}/submit": _transition("申报人提交单位（重复提交返回同一受理编号）", checks_files=True),
        "/applications/{id}/withdraw": _transition("申报人撤回（单位处理前）"),
        "/applications/{id}/approve": _transition("单位审核通过"),
        "/applications/{id}/return": _transition(
            "退回修改（单位退回申报人，或归口管理部门退回单位）", with_reason=True
        ),
        "/applications/{id}/seal": {
            "post": _operation(
                "单位电子签章（后台执行；轮询申报书直到 sealed 为 true）",
                {"202": _json("已排队", _ref("schemas", "SealQueued"))},
                ("400", "404", "409", "503"),
                path_parameters=["id"],
                body=_body(_ref("schemas", "SealRequest"), False),
            )
        },
        "/applications/{id}/submit-to-recommender": _transition("报送归口管理部门", checks_files=True),
        "/applications/{id}/recommend": _transition("推荐（限额内）"),
        "/applications/{id}/not-recommend": _transition("不予推荐", with_reason=True),
        "/applications/{id}/pdf": {
            "get": _operation(
                "申报书PDF（已签章的，否则草稿）",
                {"200": _file("PDF", "application/pdf")},
                ("404", "429", "503"),
                path_parameters=["id"],
            )
        },
        "/lists/confirm": {
            "post": _operation(
                "确认推荐项目清单（生成签章PDF和Excel）",
                {"201": _json("已确认", _ref("schemas", "RecommendationList"))},
                ("404", "409", "503"),
            )
        },
        "/lists/{list}/pdf": {
            "get": _operation(
                "下载已确认清单的签章PDF",
                {"200": _file("PDF", "application/pdf")},
                ("404", "503"),
                path_parameters=["list"],
            )
        },
        "/lists/{list}/xlsx": {
            "get": _operation(
                "下载已确认清单的Excel",
                {"200": _file("Excel", XLSX)},
                ("404", "503"),
                path_parameters=["list"],
            )
        },
    }


def document(server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "shenbao API",
            "version": "1",
            "description": (
                "申报书的导入、形式审查与流转。令牌在账号页面申请，以 Authorization: Bearer <令牌> 发送。"
                '出错时一律返回JSON：{"detail": "中文原因"}；不支持的方法返回405和Allow头。'
            ),
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "components": components(),
        "paths": paths(),
    }
