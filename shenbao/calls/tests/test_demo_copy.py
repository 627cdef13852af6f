import datetime as dt

from shenbao.calls.loading import load_demo_copy


def test_the_demo_copy_is_open_now_and_leaves_the_real_call_untouched(call):
    now = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    real_window = call.spec.filing
    demo = load_demo_copy(call, now)
    call.refresh_from_db()
    assert demo.is_demo and demo.code == "nmg-2026-kjhz-demo" and "演示" in demo.title
    assert demo.spec.filing.is_open(now)
    assert demo.spec.recommendation.closes > demo.spec.filing.closes
    assert call.spec.filing == real_window
    assert not call.spec.filing.is_open(now)
