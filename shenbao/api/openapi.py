"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json."""

ERROR = {"type": "object", "properties": {"error": {"type": "string", "description": "中文原因，指明规则或状态"}}}
SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "category": {"type": "string"},
        "state": {"type": "string"},
        "state_label": {"type": "string"},
        "receipt_no": {"type": "string"},
        "version": {"type": "integer"},
        "sealed": {"type": "boolean"},
    },
}
FINDING = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in ("code", "severity", "field", "clause", "message")},
}


def _responses(ok_status: str, ok_schema: dict, description: str = "成功") -> dict:
    return {
        ok_status: {"description": description, "content": {"application/json": {"schema": ok_schema}}},
        "401": {"description": "缺少或无效的令牌", "content": {"application/json": {"schema": ERROR}}},
        "403": {"description": "无权操作", "content": {"application/json": {"schema": ERROR}}},
        "404": {"description": "不存在或无权查看", "content": {"application/json": {"schema": ERROR}}},
        "409": {
            "description": "状态、时间窗口、形式审查或限额不允许",
            "content": {"application/json": {"schema": ERROR}},
        },
    }


def _transition(summary: str, with_reason: bool = False) -> dict:
    operation = {
        "summary": summary,
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": _responses("200", SUMMARY),
    }
    if with_reason:
        operation["requestBody"] = {
            "content": {
                "application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}
            }
        }
    return {"post": operation}


def document(server: str) -> dict:
    pdf = {"200": {"description": "PDF", "content": {"application/pdf": {}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "shenbao API",
            "version": "1",
            "description": "申报书的导入、形式审查与流转。令牌在账号页面申请。",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            },
        },
        "paths": {
            "/applications": {
                "get": {"summary": "可见的申报书", "responses": _responses("200", {"type": "array", "items": SUMMARY})},
                "post": {
                    "summary": "导入申报书（交换格式 shenbao.application/2；/1 读入时自动升级）为草稿",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "/applications/schema/application-2.schema.json"}}
                        },
                    },
                    "responses": _responses("201", SUMMARY, "已创建"),
                },
            },
            "/review": {
                "post": {
                    "summary": "形式审查一份申报书文档（不保存；所列附件按上传规则检查大小和PDF格式）",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "/applications/schema/application-2.schema.json"}}
                        },
                    },
                    "responses": {
                        **_responses("200", {"type": "array", "items": FINDING}),
                        "400": {"description": "不是可读的申报书", "content": {"application/json": {"schema": ERROR}}},
                    },
                }
            },
            "/applications/{id}": {
                "get": {
                    "summary": "申报书及其交换格式文档",
                    "parameters": [{"$ref": "#/components/parameters/id"}],
                    "responses": _responses("200", SUMMARY),
                }
            },
            "/applications/{id}/findings": {
                "get": {
                    "summary": "形式审查结果",
                    "parameters": [{"$ref": "#/components/parameters/id"}],
                    "responses": _responses("200", {"type": "array", "items": FINDING}),
                }
            },
            "/applications/{id}/submit": _transition("申报人提交单位（重复提交返回同一受理编号）"),
            "/applications/{id}/withdraw": _transition("申报人撤回（单位处理前）"),
            "/applications/{id}/approve": _transition("单位审核通过"),
            "/applications/{id}/return": _transition("退回修改（单位退回申报人，或归口管理部门退回单位）", True),
            "/applications/{id}/seal": {
                "post": {
                    "summary": "单位电子签章（后台执行）",
                    "parameters": [{"$ref": "#/components/parameters/id"}],
                    "responses": _responses("202", SUMMARY, "已排队"),
                }
            },
            "/applications/{id}/submit-to-recommender": _transition("报送归口管理部门"),
            "/applications/{id}/recommend": _transition("推荐（限额内）"),
            "/applications/{id}/not-recommend": _transition("不予推荐", True),
            "/applications/{id}/pdf": {
                "get": {
                    "summary": "申报书PDF（已签章或草稿）",
                    "parameters": [{"$ref": "#/components/parameters/id"}],
                    "responses": pdf,
                }
            },
            "/lists/confirm": {
                "post": {
                    "summary": "确认推荐项目清单（生成签章PDF和Excel）",
                    "responses": _responses("201", {"type": "object"}),
                }
            },
            "/lists/{list}/{kind}": {
                "get": {
                    "summary": "下载清单（pdf 或 xlsx）",
                    "parameters": [
                        {"name": "list", "in": "path", "required": True, "schema": {"type": "integer"}},
                        {"name": "kind", "in": "path", "required": True, "schema": {"enum": ["pdf", "xlsx"]}},
                    ],
                    "responses": pdf,
                }
            },
        },
    }
