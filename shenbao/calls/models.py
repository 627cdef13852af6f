from functools import cached_property

from django.db import models

from .spec import CallSpec, parse_call


class Call(models.Model):
    """A funding call. Its rules are `data`, the validated call file; `spec` is the typed view of it."""

    code = models.SlugField("批次代码", max_length=64, unique=True)
    title = models.CharField("名称", max_length=200)
    data = models.JSONField("指南数据")
    source = models.CharField("来源文件", max_length=300, blank=True)
    is_demo = models.BooleanField("演示批次", default=False)
    is_active = models.BooleanField("当前批次", default=True)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)

    class Meta:
        verbose_name = "申报批次"
        verbose_name_plural = "申报批次"
        ordering = ["-is_active", "-loaded_at"]

    def __str__(self) -> str:
        return self.title

    @cached_property
    def spec(self) -> CallSpec:
        return parse_call(self.data, f"call {self.code}")
