"""The documents shenbao issues are Chinese, whoever asks for them in whichever language."""

from django.utils import translation

from shenbao.documents import render


def test_the_application_pdf_is_chinese_when_english_is_chosen(make_complete, applicant, monkeypatch, during_filing):
    application = make_complete(applicant)
    typeset = {}
    monkeypatch.setattr(render, "typeset", lambda template, data, **kwargs: typeset.update(data) or b"%PDF-1.7")
    with translation.override("en"):
        render.render_application(application, draft=True)
        assert translation.get_language() == "en"  # the reader's choice is left as it was
    basic = typeset["sections"][0]
    assert basic["title"] == "基本信息"
    assert ["项目类别", "1001 国内科技合作"] in basic["fields"]
